using System.Net.Mail;

namespace HelpDesk.Domain.Common;

/// <summary>Normalises e-mail addresses: trimmed and lower-cased, so one person is one customer.</summary>
public static class EmailAddress
{
    public static string Normalise(string address) => address.Trim().ToLowerInvariant();

    public static bool IsValid(string? address)
    {
        if (string.IsNullOrWhiteSpace(address) || address.Length > 254) return false;
        return MailAddress.TryCreate(address.Trim(), out var parsed) && parsed.Address == address.Trim();
    }
}
