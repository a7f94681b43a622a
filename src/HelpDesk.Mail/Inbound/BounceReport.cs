using MimeKit;

namespace HelpDesk.Mail.Inbound;

/// <summary>One recipient's line of a delivery status report.</summary>
public sealed record DeliveryStatus(string Recipient, string Status, bool Permanent);

/// <summary>Reads a bounce: the Message-ID of the original we sent (embedded message or headers) and the per-recipient statuses.</summary>
public static class BounceReport
{
    public static (string? OriginalMessageId, IReadOnlyList<DeliveryStatus> Statuses) Read(MimeMessage message)
    {
        string? original = null;
        var statuses = new List<DeliveryStatus>();
        foreach (var part in message.BodyParts)
        {
            switch (part)
            {
                case MessagePart { Message: { } embedded }:
                    original ??= MessageIds.Normalise(embedded.MessageId);
                    break;
                case MessageDeliveryStatus dsn:
                    foreach (var group in dsn.StatusGroups.Skip(1))
                    {
                        var status = group["Status"]?.Trim() ?? "";
                        var recipient = group["Final-Recipient"] ?? group["Original-Recipient"] ?? "";
                        var semicolon = recipient.IndexOf(';');
                        if (semicolon >= 0) recipient = recipient[(semicolon + 1)..];
                        statuses.Add(new DeliveryStatus(recipient.Trim().Trim('<', '>'), status, status.StartsWith('5')));
                    }
                    break;
                case MimePart mime when mime.ContentType.IsMimeType("text", "rfc822-headers") && original is null:
                    try
                    {
                        using var buffer = new MemoryStream();
                        mime.Content?.DecodeTo(buffer);
                        buffer.Position = 0;
                        original = MessageIds.Normalise(HeaderList.Load(buffer)[HeaderId.MessageId]);
                    }
                    catch (FormatException) { }
                    break;
            }
        }
        return (original, statuses);
    }
}
