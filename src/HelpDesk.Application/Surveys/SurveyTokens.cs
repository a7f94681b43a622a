using System.Buffers.Text;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using HelpDesk.Application.Mail;
using HelpDesk.Application.Persistence;
using NodaTime;

namespace HelpDesk.Application.Surveys;

/// <summary>What a survey token names once its signature checked out.</summary>
public readonly record struct SurveyToken(Guid SurveyId, Instant ExpiresAt);

/// <summary>
/// The token in a survey link: <c>{survey id, 32 hex}.{expiry, Unix seconds}.{MAC, base64url}</c>. The MAC is
/// HMAC-SHA256, truncated to 128 bits, over the id and the expiry (not the rating, so the five links share one token),
/// keyed with a key derived from the mail signing key, so a Message-ID signature can never pass as a survey token.
/// Verified in constant time; the expiry is checked by the caller against its clock.
/// </summary>
public sealed class SurveyTokens(MailSigning signing)
{
    private const int MacBytes = 16;
    private static readonly byte[] Purpose = Encoding.ASCII.GetBytes("helpdesk/survey-token/v1");

    public async Task<string> CreateAsync(HelpDeskDbContext db, Guid surveyId, Instant expiresAt, CancellationToken ct) =>
        Create(await signing.KeyAsync(db, ct), surveyId, expiresAt);

    public async Task<SurveyToken?> ReadAsync(HelpDeskDbContext db, string? token, CancellationToken ct) =>
        Read(await signing.KeyAsync(db, ct), token);

    public static string Create(byte[] signingKey, Guid surveyId, Instant expiresAt)
    {
        var payload = Payload(surveyId, expiresAt.ToUnixTimeSeconds());
        return $"{payload}.{Base64Url.EncodeToString(Mac(signingKey, payload))}";
    }

    /// <summary>The survey and expiry of a well-formed token with a valid signature; null for anything else.</summary>
    public static SurveyToken? Read(byte[] signingKey, string? token)
    {
        if (token is null || token.Length > 100) return null;
        var parts = token.Split('.');
        if (parts.Length != 3 || !Guid.TryParseExact(parts[0], "N", out var id) || parts[0] != id.ToString("N")
            || !long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var expiry)
            || parts[1] != expiry.ToString(CultureInfo.InvariantCulture) || expiry > Instant.MaxValue.ToUnixTimeSeconds())
            return null;
        // The payload is rebuilt from the parsed values and the MAC compared in its encoded form, so only the canonical
        // spelling of a token verifies (no second spelling of the same id, expiry or MAC).
        var expected = Encoding.ASCII.GetBytes(Base64Url.EncodeToString(Mac(signingKey, Payload(id, expiry))));
        var actual = Encoding.ASCII.GetBytes(parts[2]);
        return CryptographicOperations.FixedTimeEquals(expected, actual)
            ? new SurveyToken(id, Instant.FromUnixTimeSeconds(expiry))
            : null;
    }

    private static string Payload(Guid surveyId, long expiryUnixSeconds) =>
        $"{surveyId:N}.{expiryUnixSeconds.ToString(CultureInfo.InvariantCulture)}";

    private static byte[] Mac(byte[] signingKey, string payload)
    {
        var key = HMACSHA256.HashData(signingKey, Purpose);
        return HMACSHA256.HashData(key, Encoding.ASCII.GetBytes(payload)).AsSpan(0, MacBytes).ToArray();
    }
}
