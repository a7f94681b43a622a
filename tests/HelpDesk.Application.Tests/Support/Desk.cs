using HelpDesk.Application.Escalation;
using HelpDesk.Application.Escalation.PutEscalationRule;
using HelpDesk.Application.Sla;
using HelpDesk.Application.Tickets;
using HelpDesk.Application.Tickets.CreateTicket;
using HelpDesk.Domain.Agents;
using HelpDesk.Domain.Sla;
using HelpDesk.Domain.Teams;
using HelpDesk.Domain.Tickets;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;

namespace HelpDesk.Application.Tests.Support;

/// <summary>
/// A small desk: teams support and tier2, agents alice (support), lena (support lead), tom (tier2), an admin, and the
/// policy "standard" on a 24/7 calendar: first response 4 h, next reply 8 h, warnings at 75 and 90 %.
/// </summary>
public sealed class Desk
{
    public static readonly Duration FirstResponse = Duration.FromHours(4);
    public static readonly Duration NextReply = Duration.FromHours(8);

    public Team Support { get; } = new(Guid.CreateVersion7(), "support", "Support");
    public Team Tier2 { get; } = new(Guid.CreateVersion7(), "tier2", "Tier 2");
    public Agent Alice { get; private set; } = null!;
    public Agent Lena { get; private set; } = null!;
    public Agent Tom { get; private set; } = null!;
    public Agent Admin { get; private set; } = null!;

    public static async Task<Desk> SeedAsync(TestHost host, bool withPolicy = true)
    {
        var desk = new Desk();
        desk.Alice = new Agent(Guid.CreateVersion7(), "alice@desk.test", "Alice", AgentRole.Agent, [desk.Support.Id]);
        desk.Lena = new Agent(Guid.CreateVersion7(), "lena@desk.test", "Lena", AgentRole.Lead, [desk.Support.Id]);
        desk.Tom = new Agent(Guid.CreateVersion7(), "tom@desk.test", "Tom", AgentRole.Agent, [desk.Tier2.Id]);
        desk.Admin = new Agent(Guid.CreateVersion7(), "admin@desk.test", "Admin", AgentRole.Admin, []);
        await host.WithDbAsync(async db =>
        {
            db.Teams.AddRange(desk.Support, desk.Tier2);
            db.Agents.AddRange(desk.Alice, desk.Lena, desk.Tom, desk.Admin);
            if (withPolicy)
            {
                var from = TestHost.Start - Duration.FromDays(30);
                db.CalendarVersions.Add(new BusinessCalendarVersion(Guid.CreateVersion7(), "always", 1, from, BusinessCalendar.TwentyFourSeven));
                var targets = Enum.GetValues<Priority>().ToDictionary(p => p, _ => new SlaTargets(FirstResponse, NextReply, null));
                db.SlaPolicyVersions.Add(new SlaPolicyVersion(Guid.CreateVersion7(), "standard", 1, from, 1, "always", SlaPolicyConditions.Any,
                    new SlaPolicyTerms(targets, SlaPolicyTerms.DefaultWarnAtPercent, SlaPolicyTerms.DefaultPauseOn)));
            }
            return await db.SaveChangesAsync();
        });
        return desk;
    }

    public Task<TicketDto> OpenTicketAsync(TestHost host, string priority = "normal") =>
        host.SendAsync(new CreateTicket("Printer on fire", "It is really on fire.", new RequesterInput("carol@customer.test", "Carol"), priority, "support"));

    public Task<EscalationRuleDto> PutRuleAsync(TestHost host, string name, EscalationRuleBody body) =>
        host.SendAsync(new PutEscalationRule(name, body), Admin.Id);

    /// <summary>A public message from the customer (the mail channel's path, which has no command in this slice yet).</summary>
    public static Task AddCustomerMessageAsync(TestHost host, int number) => host.WithScopeAsync(async (sp, db) =>
    {
        var ticket = await db.LoadForChangeAsync(number, CancellationToken.None);
        var customer = await db.Customers.SingleAsync(c => c.Id == ticket.RequesterId);
        var now = host.Clock.GetCurrentInstant();
        ticket.AddCustomerMessage(Actor.ForCustomer(customer.Id, customer.Name, customer.Email), "Any news?", null, false, now);
        await sp.GetRequiredService<SlaScheduler>().RefreshAsync(ticket, now, CancellationToken.None);
        return await db.SaveChangesAsync();
    });

    public static Task<Ticket> TicketAsync(TestHost host, int number) =>
        host.WithDbAsync(db => db.Tickets.AsNoTracking().Include(t => t.History).Include(t => t.Articles).SingleAsync(t => t.Number == number));
}
