using System.Linq.Expressions;
using HelpDesk.Application.Mail;
using HelpDesk.Application.Persistence;
using HelpDesk.Domain.Surveys;
using HelpDesk.Domain.Tickets;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NodaTime;

namespace HelpDesk.Application.Surveys;

/// <summary>
/// Writes the survey and its mail into the unit of work of a change that solved a ticket. <see cref="Tickets.TicketChanges"/>
/// calls it for every change, so every path that solves a ticket sends the survey; the unique (ticket, solve) key makes
/// it at most one per solve even if a change were applied twice.
/// </summary>
public sealed class SurveyOnSolve(HelpDeskDbContext db, MailOutbox outbox, SurveyTokens tokens, SurveySettings settings,
    IOptions<MailOptions> mail, ILogger<SurveyOnSolve> logger)
{
    private static readonly string Solved = nameof(TicketStatus.Solved);

    /// <summary>The survey queued for this change, or null: not a solve, disabled, or the requester gets no automatic mail.</summary>
    public async Task<Survey?> EnqueueIfSolvedAsync(Ticket ticket, CancellationToken ct)
    {
        if (ticket.Status != TicketStatus.Solved || !ticket.Events.Any(e => e is TicketEvent.StatusChanged { To: TicketStatus.Solved })) return null;
        var options = await settings.CurrentAsync(ct);
        if (!options.Enabled) return null;
        if (mail.Value.PublicBaseUrl is not { Length: > 0 } baseUrl)
        {
            logger.LogWarning("No survey for ticket #{Number}: HelpDesk:PublicBaseUrl is not set, so there is no link to send", ticket.Number);
            return null;
        }
        var solve = ticket.History.Where(h => h.Kind == TicketChangeKind.StatusChanged && h.To == Solved).MaxBy(h => h.Sequence)!;
        var requester = await db.Customers.AsNoTracking().SingleAsync(c => c.Id == ticket.RequesterId, ct);
        if (!await WroteThemselvesAsync(ticket, requester.Id, ct)) return null;

        var survey = Survey.Send(Guid.CreateVersion7(), ticket.Id, ticket.Number, solve.Sequence, requester.Email, solve.At,
            Duration.FromSeconds(Math.Round(options.ValidityDays * 86_400)));
        var token = await tokens.CreateAsync(db, survey.Id, survey.ExpiresAt, ct);
        var url = $"{baseUrl.TrimEnd('/')}/survey/{token}";
        if (await outbox.EnqueueSurveyAsync(ticket, survey.Recipient, url, survey.ExpiresAt, ct) is null) return null;
        db.Add(survey);
        return survey;
    }

    /// <summary>
    /// Whether the requester wrote at least one message that was not machine-made: a requester we only know from
    /// out-of-office replies or list mail is not asked (the message opening a ticket by API counts as theirs). A change
    /// does not load the thread, so the stored messages are read here, with any this change added.
    /// </summary>
    private async Task<bool> WroteThemselvesAsync(Ticket ticket, Guid requesterId, CancellationToken ct)
    {
        Expression<Func<Article, bool>> theirs = a => a.AuthorType == AuthorType.Customer && a.AuthorId == requesterId && a.Kind == ArticleKind.Reply;
        var stored = await db.Articles.Where(a => a.TicketId == ticket.Id).Where(theirs).Select(a => a.Id).ToListAsync(ct);
        var own = stored.Union(ticket.Articles.Where(theirs.Compile()).Select(a => a.Id)).ToList();
        if (own.Count == 0) return false;
        var machineMade = await db.Set<ArticleMail>().CountAsync(m => own.Contains(m.ArticleId) && m.Classification != "normal", ct);
        return machineMade < own.Count;
    }
}
