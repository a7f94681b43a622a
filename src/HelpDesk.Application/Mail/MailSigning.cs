using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using HelpDesk.Application.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace HelpDesk.Application.Mail;

/// <summary>
/// Signs our outgoing Message-IDs (<c>hd.{ticket}.{delivery}.{hmac}@{domain}</c>) so a reply can be threaded by a
/// token nobody else can forge. The key comes from configuration or is generated once and kept in the database; it is
/// never logged.
/// </summary>
public sealed partial class MailSigning(IOptions<MailOptions> options)
{
    public const string SettingName = "mail.signing-key";
    private byte[]? _key;

    public string Domain => options.Value.Domain;

    public async Task<byte[]> KeyAsync(HelpDeskDbContext db, CancellationToken ct)
    {
        if (_key is not null) return _key;
        if (options.Value.SigningKey is { Length: > 0 } configured) return _key = Encoding.UTF8.GetBytes(configured);
        var stored = await db.Set<MailSetting>().AsNoTracking().Where(s => s.Name == SettingName).Select(s => s.Value).SingleOrDefaultAsync(ct);
        if (stored is null)
        {
            // Plain SQL, so generating the key never flushes the caller's pending changes; a lost insert race re-reads.
            var generated = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
            int inserted;
            try
            {
                inserted = await db.Database.ExecuteSqlRawAsync(db.Sql.InsertMailSetting, [SettingName, generated], ct);
            }
            catch (System.Data.Common.DbException)
            {
                inserted = 0;
            }
            stored = inserted == 1 ? generated
                : await db.Set<MailSetting>().AsNoTracking().Where(s => s.Name == SettingName).Select(s => s.Value).SingleAsync(ct);
        }
        return _key = Convert.FromBase64String(stored);
    }

    /// <summary>The Message-ID (without angle brackets) of outbox row <paramref name="deliveryId"/> about ticket <paramref name="ticketNumber"/>.</summary>
    public string MessageId(byte[] key, int ticketNumber, Guid deliveryId) =>
        $"hd.{ticketNumber}.{deliveryId:N}.{Sign(key, ticketNumber, deliveryId)}@{Domain}";

    /// <summary>The ticket number of one of our signed Message-IDs; null when it is not ours or the signature is wrong.</summary>
    public int? Verify(byte[] key, string messageId)
    {
        var m = TokenPattern().Match(messageId.Trim().Trim('<', '>'));
        if (!m.Success || !int.TryParse(m.Groups[1].Value, out var number) || !Guid.TryParseExact(m.Groups[2].Value, "N", out var delivery))
            return null;
        var expected = Encoding.ASCII.GetBytes(Sign(key, number, delivery));
        var actual = Encoding.ASCII.GetBytes(m.Groups[3].Value.ToLowerInvariant());
        return CryptographicOperations.FixedTimeEquals(expected, actual) ? number : null;
    }

    private static string Sign(byte[] key, int number, Guid delivery)
    {
        var mac = HMACSHA256.HashData(key, Encoding.ASCII.GetBytes($"{number}.{delivery:N}"));
        return Convert.ToHexStringLower(mac.AsSpan(0, 10));
    }

    [GeneratedRegex(@"^hd\.(\d{1,9})\.([0-9a-fA-F]{32})\.([0-9a-fA-F]{20})@", RegexOptions.CultureInvariant)]
    private static partial Regex TokenPattern();
}
