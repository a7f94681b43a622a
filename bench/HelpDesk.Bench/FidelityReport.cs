using System.Security.Cryptography;
using System.Text;
using AngleSharp.Html.Parser;
using HelpDesk.Application.Mail;
using HelpDesk.Mail.Inbound;
using MimeKit;
using MimeKit.Tnef;

namespace HelpDesk.Bench;

/// <summary>
/// <c>fidelity</c>: for every message of the public corpora (<c>../shared/corpus/mime</c>, <c>replies</c>) and our
/// samples (<c>tests/HelpDesk.Mail.Tests/Samples</c>), what went in and what the extraction kept. The accounting walks
/// the MIME tree itself and never asks the extraction what it did with a part: a text/plain or text/html leaf is
/// accounted for when its words (its characters less whitespace; for HTML the visible text, without head, script and
/// style) appear in the stored text or in the visible text of the stored HTML, or when a stored file has its exact
/// bytes; any other leaf (and an attached message) when a stored file has its exact bytes. Each file accounts for one
/// leaf only. What is not accounted for is listed with the runs of characters that are missing.
/// </summary>
public static class FidelityReport
{
    private sealed record Leaf(string Path, string Type, string? Name, byte[] Bytes, string? Text)
    {
        public string? Words { get; } = Text is null ? null : WordsOf(Text);
    }

    public static int Run()
    {
        var root = MailBench.RepositoryRoot();
        var corpus = System.IO.Path.Combine(Directory.GetParent(root)!.FullName, "shared", "corpus");
        var inputs = new List<(string Label, Func<MimeMessage> Load)>();
        var options = new MailOptions();
        var parser = new ParserOptions { MaxMimeDepth = options.MaxMimeDepth };
        foreach (var file in Files(System.IO.Path.Combine(corpus, "mime")))
            inputs.Add(("corpus/mime/" + System.IO.Path.GetFileName(file), () => MimeMessage.Load(parser, file)));
        foreach (var file in Files(System.IO.Path.Combine(corpus, "replies")))
            inputs.Add(("corpus/" + System.IO.Path.GetRelativePath(corpus, file), () => PlainMessage(File.ReadAllText(file))));
        var samples = System.IO.Path.Combine(root, "tests", "HelpDesk.Mail.Tests", "Samples");
        foreach (var file in Files(samples))
            inputs.Add(("samples/" + System.IO.Path.GetRelativePath(samples, file), () => MimeMessage.Load(parser, file)));

        Console.WriteLine($"load average at start: {File.ReadAllText("/proc/loadavg").Trim()} ({Environment.ProcessorCount} cores)");
        int total = 0, accounted = 0;
        var unaccounted = new List<string>();
        foreach (var (label, load) in inputs)
        {
            MimeMessage message;
            try { message = load(); }
            catch (FormatException ex)
            {
                total++;
                unaccounted.Add($"{label}: not parsed ({ex.Message})");
                Console.WriteLine($"{label}\n  NOT PARSED: {ex.Message}");
                continue;
            }
            var leaves = new List<Leaf>();
            if (message.Body is not null) Walk(message.Body, "1", leaves);
            var kept = MailContent.Extract(message, options.MaxAttachmentBytes, options.MaxMessageBytes);
            var storedText = WordsOf(kept.Text);
            var storedHtml = kept.HtmlWithRemoteImages ?? kept.Html;
            var storedHtmlText = storedHtml is null ? "" : WordsOf(VisibleText(storedHtml));
            var files = kept.Attachments.Select(a => (a.Size, a.Sha256, a.FileName)).ToList();

            Console.WriteLine(label);
            foreach (var leaf in leaves)
            {
                total++;
                string? how = null;
                if (leaf.Words is { } words && (storedText.Contains(words, StringComparison.Ordinal) || storedHtmlText.Contains(words, StringComparison.Ordinal)))
                    how = storedText.Contains(words, StringComparison.Ordinal) ? "in the text" : "in the HTML";
                else
                {
                    var sha = Convert.ToHexStringLower(SHA256.HashData(leaf.Bytes));
                    var file = files.FindIndex(f => f.Size == leaf.Bytes.Length && f.Sha256 == sha);
                    if (file >= 0)
                    {
                        how = $"file \"{files[file].FileName}\"";
                        files.RemoveAt(file);
                    }
                }
                var what = $"{leaf.Path} {leaf.Type}{(leaf.Name is null ? "" : $" \"{leaf.Name}\"")} " +
                           (leaf.Text is null ? $"{leaf.Bytes.Length} bytes" : $"{leaf.Text.Length} chars");
                if (how is not null)
                {
                    accounted++;
                    Console.WriteLine($"  ok   {what}: {how}");
                    continue;
                }
                Console.WriteLine($"  LOST {what}");
                unaccounted.Add($"{label}: {what}");
                if (leaf.Words is not null)
                    foreach (var run in MissingRuns(leaf, storedText, storedHtmlText))
                    {
                        Console.WriteLine($"         missing: \"{run}\"");
                        unaccounted.Add($"    missing: \"{run}\"");
                    }
            }
            Console.WriteLine($"  kept: text {kept.Text.Length} chars, HTML {storedHtml?.Length ?? 0} chars, {kept.Attachments.Count} file(s)" +
                              (files.Count > 0 ? $" ({files.Count} not matched to a part: {string.Join(", ", files.Select(f => f.FileName))})" : ""));
        }

        Console.WriteLine();
        Console.WriteLine($"messages: {inputs.Count}");
        if (unaccounted.Count > 0)
        {
            Console.WriteLine("not accounted for:");
            foreach (var line in unaccounted) Console.WriteLine("  " + line);
        }
        Console.WriteLine(FormattableString.Invariant($"parts and attachments accounted for: {accounted} of {total} ({(total == 0 ? 100 : accounted * 100.0 / total):F1} %)"));
        Console.WriteLine($"load average at end: {File.ReadAllText("/proc/loadavg").Trim()}");
        return accounted == total ? 0 : 1;
    }

    private static IEnumerable<string> Files(string folder) =>
        Directory.Exists(folder)
            ? Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories).Where(f => !System.IO.Path.GetFileName(f).StartsWith("LICENSE", StringComparison.Ordinal)).Order(StringComparer.Ordinal)
            : [];

    // The reply corpus is bodies only; the tests send them as a plain message, and so does the report.
    private static MimeMessage PlainMessage(string body)
    {
        var message = new MimeMessage { Subject = "reply corpus" };
        message.From.Add(new MailboxAddress("Reply", "reply@example.test"));
        message.Body = new TextPart("plain") { Text = body };
        return message;
    }

    // Every leaf of the tree, numbered like IMAP part specifiers; an attached message is one leaf (it is kept whole).
    private static void Walk(MimeEntity entity, string path, List<Leaf> leaves)
    {
        switch (entity)
        {
            case Multipart multipart:
                for (var i = 0; i < multipart.Count; i++) Walk(multipart[i], $"{path}.{i + 1}", leaves);
                break;
            case MessagePart embedded:
                using (var buffer = new MemoryStream())
                {
                    embedded.Message?.WriteTo(buffer);
                    leaves.Add(new Leaf(path, "message/rfc822", null, buffer.ToArray(), null));
                }
                break;
            case TnefPart tnef when TryExpand(tnef) is { } inner:
                // winmail.dat counts by what is inside: each of its files.
                var k = 0;
                foreach (var part in inner.Attachments) Walk(part, $"{path}.tnef{++k}", leaves);
                break;
            case MimePart part:
                using (var buffer = new MemoryStream())
                {
                    part.Content?.DecodeTo(buffer);
                    var name = part.ContentDisposition?.FileName ?? part.ContentType.Name;
                    string? text = null;
                    if (part is TextPart t && (t.IsPlain || t.IsHtml)) text = t.IsHtml ? VisibleText(t.Text) : t.Text;
                    leaves.Add(new Leaf(path, part.ContentType.MimeType.ToLowerInvariant(), name, buffer.ToArray(), text));
                }
                break;
        }
    }

    private static MimeMessage? TryExpand(TnefPart tnef)
    {
        try { return tnef.ConvertToMessage(); }
        catch (Exception ex) when (ex is not OperationCanceledException) { return null; }
    }

    private static string VisibleText(string html)
    {
        var document = new HtmlParser().ParseDocument(html);
        foreach (var hidden in document.QuerySelectorAll("head, script, style, template").ToList()) hidden.Remove();
        return document.Body?.TextContent ?? "";
    }

    private static string WordsOf(string text)
    {
        var words = new StringBuilder(text.Length);
        foreach (var c in text) if (!char.IsWhiteSpace(c)) words.Append(c);
        return words.ToString();
    }

    // The lines of a lost part whose characters appear nowhere in what was kept.
    private static IEnumerable<string> MissingRuns(Leaf leaf, string storedText, string storedHtmlText) =>
        (leaf.Text ?? "").Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0)
            .Where(l => !storedText.Contains(WordsOf(l), StringComparison.Ordinal) && !storedHtmlText.Contains(WordsOf(l), StringComparison.Ordinal))
            .Select(l => l.Length > 80 ? l[..80] + "…" : l).Take(5);
}
