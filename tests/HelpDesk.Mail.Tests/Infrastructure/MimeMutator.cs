using System.Text;

namespace HelpDesk.Mail.Tests.Infrastructure;

/// <summary>
/// Hostile variants of real messages, seeded and repeatable (the same seed and index give the same bytes): byte flips,
/// truncation, duplicated headers, deep multipart nesting, huge headers and lying charsets, one to three at a time.
/// Used by the CI fuzz test (a few hundred) and <c>bench fuzz-mail</c> (ten thousand).
/// </summary>
public sealed class MimeMutator(IReadOnlyList<byte[]> seeds, int seed)
{
    public static readonly string[] Kinds = ["flip", "truncate", "duplicate-headers", "deep-nesting", "huge-header", "charset-lie"];

    private static readonly string[] LyingCharsets = ["utf-7", "utf-16", "utf-32", "iso-2022-jp", "x-no-such-charset", "", "\"utf-8", "gb18030", "ebcdic-cp-us"];

    /// <summary>The corpus messages (every regular file of <paramref name="folder"/> but licences).</summary>
    public static IReadOnlyList<byte[]> Load(string folder) =>
        Directory.GetFiles(folder).Where(f => !Path.GetFileName(f).StartsWith("LICENSE", StringComparison.Ordinal)).Order(StringComparer.Ordinal)
            .Select(File.ReadAllBytes).ToList();

    /// <summary>The <paramref name="index"/>-th mutant and the mutations applied to it.</summary>
    public (byte[] Raw, string Kinds) Mutant(int index)
    {
        var random = new Random(unchecked(seed * 1_000_003 + index) & int.MaxValue);
        var raw = seeds[random.Next(seeds.Count)];
        var applied = new List<string>();
        for (var i = random.Next(1, 4); i > 0; i--)
        {
            var kind = Kinds[random.Next(Kinds.Length)];
            raw = Apply(kind, raw, random);
            applied.Add(kind);
        }
        return (raw, string.Join('+', applied));
    }

    private static byte[] Apply(string kind, byte[] raw, Random random) => kind switch
    {
        "flip" => Flip(raw, random),
        "truncate" => raw.Length < 2 ? raw : raw[..random.Next(1, raw.Length)],
        "duplicate-headers" => DuplicateHeaders(raw, random),
        "deep-nesting" => Nest(raw, random.Next(10, 200)),
        "huge-header" => HugeHeader(raw, random),
        "charset-lie" => CharsetLie(raw, random),
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    private static byte[] Flip(byte[] raw, Random random)
    {
        var copy = (byte[])raw.Clone();
        for (var i = random.Next(1, 1 + Math.Max(1, copy.Length / 100)); i > 0 && copy.Length > 0; i--)
            copy[random.Next(copy.Length)] = (byte)random.Next(256);
        return copy;
    }

    private static (string Head, string Body) Split(byte[] raw)
    {
        var text = Encoding.Latin1.GetString(raw);
        var end = text.IndexOf("\n\n", StringComparison.Ordinal) is var lf and >= 0 ? lf + 2 : text.IndexOf("\r\n\r\n", StringComparison.Ordinal) is var crlf and >= 0 ? crlf + 4 : text.Length;
        return (text[..end], text[end..]);
    }

    private static byte[] Join(string head, string body) => Encoding.Latin1.GetBytes(head + body);

    private static byte[] DuplicateHeaders(byte[] raw, Random random)
    {
        var (head, body) = Split(raw);
        var lines = head.TrimEnd('\r', '\n').Split('\n').Where(l => l.Length > 0 && !char.IsWhiteSpace(l[0])).ToList();
        if (lines.Count == 0) return raw;
        var line = lines[random.Next(lines.Count)].TrimEnd('\r');
        // At most ~256 KiB of copies: a mutant stays a message an MTA would hand over (they cap sizes far below gigabytes).
        var copies = string.Concat(Enumerable.Repeat(line + "\r\n", Math.Min(random.Next(2, 2000), Math.Max(2, 262_144 / Math.Max(1, line.Length)))));
        return Join(copies + head, body);
    }

    private static byte[] Nest(byte[] raw, int depth)
    {
        var sb = new StringBuilder("From: nest@fuzz.test\r\nTo: support@helpdesk.test\r\nSubject: nested\r\nMIME-Version: 1.0\r\n");
        for (var i = 0; i < depth; i++) sb.Append($"Content-Type: multipart/mixed; boundary=\"b{i}\"\r\n\r\n--b{i}\r\n");
        sb.Append("Content-Type: message/rfc822\r\n\r\n").Append(Encoding.Latin1.GetString(raw)).Append("\r\n");
        for (var i = depth - 1; i >= 0; i--) sb.Append($"--b{i}--\r\n");
        return Encoding.Latin1.GetBytes(sb.ToString());
    }

    private static byte[] HugeHeader(byte[] raw, Random random)
    {
        var (head, body) = Split(raw);
        var length = random.Next(10_000, 512_000);
        var header = random.Next(3) switch
        {
            0 => "Subject: " + new string('S', length),
            1 => "X-Fuzz: " + string.Join("\r\n ", Enumerable.Repeat("folded", length / 8)),
            _ => "To: " + string.Join(", ", Enumerable.Range(0, length / 30).Select(i => $"r{i}@fuzz.test")),
        };
        return Join(header + "\r\n" + head, body);
    }

    private static byte[] CharsetLie(byte[] raw, Random random)
    {
        var text = Encoding.Latin1.GetString(raw);
        var charset = LyingCharsets[random.Next(LyingCharsets.Length)];
        var lied = System.Text.RegularExpressions.Regex.Replace(text, "charset=\"?[A-Za-z0-9_-]+\"?", $"charset={charset}",
            System.Text.RegularExpressions.RegexOptions.IgnoreCase);
        if (lied == text)
        {
            var (head, body) = Split(raw);
            return Join($"Content-Type: text/plain; charset={charset}\r\nSubject: =?{charset}?B?{Convert.ToBase64String(Encoding.UTF8.GetBytes("lüge"))}?=\r\n" + head, body);
        }
        return Encoding.Latin1.GetBytes(lied);
    }
}
