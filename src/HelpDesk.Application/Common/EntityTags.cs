namespace HelpDesk.Application.Common;

/// <summary>
/// Entity tags of configuration read through the API (docs/security.md "Settings API"): the quoted version number of
/// the thing (<c>"3"</c>), which grows with every change. A write may send <c>If-Match</c> with the tag it read; a stale
/// one is refused with 412. A write without <c>If-Match</c> is allowed (last writer wins), so scripts keep working, except
/// where the caller requires it (mailboxes: a stale edit could re-enable a mailbox or drop a secret; 428 without it).
/// </summary>
public static class EntityTags
{
    public static string Of(int version) => $"\"{version}\"";

    /// <summary>
    /// Refuses the write unless <paramref name="ifMatch"/> is absent, <c>*</c> on an existing thing, or lists the current tag
    /// (weak tags compare by value). <paramref name="currentVersion"/> null: the thing does not exist yet.
    /// </summary>
    /// <param name="required">The write must name the version it changes: without <c>If-Match</c> it is refused (428).</param>
    public static void Require(string? ifMatch, int? currentVersion, string what, bool required = false)
    {
        if (string.IsNullOrWhiteSpace(ifMatch))
        {
            if (required && currentVersion is { } version)
                throw new PreconditionRequiredException($"Send If-Match with the ETag of {what} ({Of(version)}) to change it.");
            return;
        }
        var current = currentVersion is { } v ? Of(v) : null;
        var tags = ifMatch.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(t => t.StartsWith("W/", StringComparison.Ordinal) ? t[2..] : t);
        if (tags.Any(t => t == "*" ? current is not null : t == current)) return;
        throw new PreconditionFailedException(current is null
            ? $"{what} does not exist, so it cannot match If-Match {ifMatch}."
            : $"{what} has changed since it was read (If-Match {ifMatch}, now {current}); reload it and try again.", current);
    }
}
