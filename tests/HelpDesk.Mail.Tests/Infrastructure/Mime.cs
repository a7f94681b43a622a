namespace HelpDesk.Mail.Tests.Infrastructure;

/// <summary>Builds small RFC 5322 messages for table tests.</summary>
public static class Mime
{
    private static int _seq;

    public static string NewId() => $"<t{Interlocked.Increment(ref _seq)}.{Guid.NewGuid():N}@customer.example>";

    public static string Message(string from = "Maria Muster <maria@example.test>", string subject = "Cannot log in", string body = "It says my account is locked.",
        string? messageId = null, string? inReplyTo = null, string? references = null, string? cc = null, string to = MailDeskFactory.SystemAddress,
        params string[] headers)
    {
        var lines = new List<string>
        {
            $"From: {from}",
            $"To: {to}",
            $"Subject: {subject}",
            "Date: Mon, 02 Mar 2026 09:00:00 +0100",
            "MIME-Version: 1.0",
            "Content-Type: text/plain; charset=utf-8",
        };
        if (messageId != "") lines.Add($"Message-ID: {messageId ?? NewId()}");
        if (inReplyTo is not null) lines.Add($"In-Reply-To: {inReplyTo}");
        if (references is not null) lines.Add($"References: {references}");
        if (cc is not null) lines.Add($"Cc: {cc}");
        lines.AddRange(headers);
        return string.Join("\r\n", lines) + "\r\n\r\n" + body.ReplaceLineEndings("\r\n") + "\r\n";
    }

    public static string Html(string html, string subject = "Hello", string from = "Maria <maria@example.test>", string? attachmentName = null) =>
        string.Join("\r\n",
            $"From: {from}", $"To: {MailDeskFactory.SystemAddress}", $"Subject: {subject}", $"Message-ID: {NewId()}", "MIME-Version: 1.0",
            "Content-Type: multipart/mixed; boundary=\"b1\"", "",
            "--b1", "Content-Type: text/html; charset=utf-8", "", html, "",
            "--b1", $"Content-Type: application/octet-stream; name=\"{attachmentName ?? "report.pdf"}\"",
            $"Content-Disposition: attachment; filename=\"{attachmentName ?? "report.pdf"}\"", "Content-Transfer-Encoding: base64", "",
            Convert.ToBase64String("%PDF-1.4 test"u8.ToArray()), "--b1--", "");

    /// <summary>A delivery status report about <paramref name="originalId"/> for <paramref name="recipient"/>.</summary>
    public static string Dsn(string originalId, string recipient, string status) => string.Join("\r\n",
        "From: Mail Delivery System <MAILER-DAEMON@mx.example.test>", $"To: {MailDeskFactory.SystemAddress}", "Subject: Undelivered Mail Returned to Sender",
        $"Message-ID: {NewId()}", "MIME-Version: 1.0", "Auto-Submitted: auto-replied",
        "Content-Type: multipart/report; report-type=delivery-status; boundary=\"r1\"", "",
        "--r1", "Content-Type: text/plain", "", "Your message could not be delivered.", "",
        "--r1", "Content-Type: message/delivery-status", "", "Reporting-MTA: dns; mx.example.test", "",
        $"Final-Recipient: rfc822; {recipient}", "Action: " + (status.StartsWith('5') ? "failed" : "delayed"), $"Status: {status}", "",
        "--r1", "Content-Type: message/rfc822", "",
        $"From: {MailDeskFactory.SystemAddress}", $"To: {recipient}", "Subject: Re: Cannot log in", $"Message-ID: <{originalId}>", "", "Thank you", "",
        "--r1--", "");
}
