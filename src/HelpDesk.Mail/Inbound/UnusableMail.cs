using HelpDesk.Application.Mail;
using HelpDesk.Domain.Common;
using MimeKit;

namespace HelpDesk.Mail.Inbound;

/// <summary>A message that cannot be processed for a reason an admin can see and may fix: it is quarantined with <see cref="Code"/>.</summary>
public sealed class UnusableMail(string code, string message) : Exception(message)
{
    /// <summary>One of <see cref="QuarantineReason"/>.</summary>
    public string Code { get; } = code;

    /// <summary>The class of a failure that quarantined a message, for the admin's triage list.</summary>
    public static string ReasonOf(Exception ex) => ex switch
    {
        UnusableMail u => u.Code,
        TimeoutException => QuarantineReason.Timeout,
        ParseException or FormatException => QuarantineReason.Unparseable,
        DomainRuleViolation { Code: "team.none" } => QuarantineReason.NoTeam,
        DomainRuleViolation => QuarantineReason.Rule,
        _ => QuarantineReason.Error,
    };
}
