using HelpDesk.Application.Sla;
using HelpDesk.Application.Tests.Support;
using HelpDesk.Application.Tickets.ChangePriority;
using HelpDesk.Domain.Sla;
using HelpDesk.Domain.Tickets;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;

namespace HelpDesk.Application.Tests.Sla;

public sealed class SlaRecomputationTests : DeskTest
{
    private static readonly Duration NormalFirstResponse = Duration.FromHours(2);
    private static readonly Duration UrgentFirstResponse = Duration.FromHours(1);

    [Fact]
    public async Task Moves_the_due_instants_of_open_tickets_to_the_new_policy_version()
    {
        var ticket = await _desk.OpenTicketAsync(_host);
        _host.Clock.Advance(Duration.FromMinutes(10));

        var recomputed = await EditPolicyAndRecomputeAsync(beforeWrite: null);

        recomputed.Should().Be(1);
        var stored = await Desk.TicketAsync(_host, ticket.Number);
        stored.SlaDueAt.Should().Be(TestHost.Start + NormalFirstResponse);
        stored.SlaNextAlertAt.Should().Be(TestHost.Start + NormalFirstResponse * 0.75);
        stored.Version.Should().Be(ticket.Version, "new derived instants are not a change of the ticket");
    }

    [Fact]
    public async Task Does_not_overwrite_a_ticket_changed_while_the_batch_was_computed()
    {
        var changed = await _desk.OpenTicketAsync(_host);
        var untouched = await _desk.OpenTicketAsync(_host);
        _host.Clock.Advance(Duration.FromMinutes(10));

        // Between the batch's evaluation and its write, an agent raises one ticket to urgent; its handler schedules it
        // under the new version. The batch's values for it (normal priority) are stale and must not win.
        await EditPolicyAndRecomputeAsync(beforeWrite: async numbers =>
        {
            numbers.Should().Contain(changed.Number);
            await _host.SendAsync(new ChangePriority(changed.Number, "urgent"), _desk.Alice.Id);
        });

        var raised = await Desk.TicketAsync(_host, changed.Number);
        raised.Priority.Should().Be(Priority.Urgent);
        raised.SlaDueAt.Should().Be(TestHost.Start + UrgentFirstResponse, "the concurrent change is kept and recomputed, not overwritten");
        raised.SlaNextAlertAt.Should().Be(TestHost.Start + UrgentFirstResponse * 0.75);
        (await Desk.TicketAsync(_host, untouched.Number)).SlaDueAt.Should().Be(TestHost.Start + NormalFirstResponse);
    }

    /// <summary>Adds version 2 of "standard" (normal 2 h, urgent 1 h) as PutSlaPolicy does, then recomputes.</summary>
    private Task<int> EditPolicyAndRecomputeAsync(Func<IReadOnlyList<int>, Task>? beforeWrite) => _host.WithScopeAsync(async (sp, db) =>
    {
        var now = _host.Clock.GetCurrentInstant();
        var targets = Enum.GetValues<Priority>().ToDictionary(p => p,
            p => new SlaTargets(p == Priority.Urgent ? UrgentFirstResponse : NormalFirstResponse, Desk.NextReply, null));
        db.SlaPolicyVersions.Add(new SlaPolicyVersion(Guid.CreateVersion7(), "standard", 2, now, 1, "always", SlaPolicyConditions.Any,
            new SlaPolicyTerms(targets, SlaPolicyTerms.DefaultWarnAtPercent, SlaPolicyTerms.DefaultPauseOn)));
        await db.SaveChangesAsync();
        sp.GetRequiredService<SlaConfigurationCache>().Invalidate(); // as PutSlaPolicy does after its save
        // The test's own write step in front of the real one (a DI replacement): the concurrent change happens between
        // the batch's evaluation and its write.
        var recomputation = beforeWrite is null
            ? sp.GetRequiredService<SlaRecomputation>()
            : ActivatorUtilities.CreateInstance<SlaRecomputation>(sp, new ChangeBeforeWrite(sp.GetRequiredService<IDerivedSlaWrites>(), beforeWrite));
        return await recomputation.RecomputeOpenTicketsAsync(now, CancellationToken.None);
    });

    /// <summary>Hands the numbers about to be written to <paramref name="beforeWrite"/>, then writes them.</summary>
    private sealed class ChangeBeforeWrite(IDerivedSlaWrites writes, Func<IReadOnlyList<int>, Task> beforeWrite) : IDerivedSlaWrites
    {
        public async Task<IReadOnlyList<int>> WriteAsync(IReadOnlyList<DerivedSlaColumns> tickets, CancellationToken ct)
        {
            await beforeWrite(tickets.Select(t => t.Number).ToList());
            return await writes.WriteAsync(tickets, ct);
        }
    }
}
