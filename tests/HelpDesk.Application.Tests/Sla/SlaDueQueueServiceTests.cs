using HelpDesk.Application.Escalation;
using HelpDesk.Application.Sla.DueQueue;
using HelpDesk.Application.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using NodaTime;

namespace HelpDesk.Application.Tests.Sla;

public sealed class SlaDueQueueServiceTests
{
    [Fact]
    public async Task The_hosted_queue_fires_what_is_due_and_holds_the_lease_while_it_runs()
    {
        await using var host = TestHost.Create(s => s.AddSlaDueQueueService());
        var desk = await Desk.SeedAsync(host);
        await desk.PutRuleAsync(host, "unclaimed", new EscalationRuleBody(1, true, null,
            [new(new EscalationConditionBody("unassigned_for", Duration: "PT1H"), [new EscalationActionBody("add_tag", Tag: "unclaimed")])]));
        var service = host.Services.GetServices<IHostedService>().OfType<SlaDueQueueService>().Single();

        await service.StartAsync(CancellationToken.None);
        try
        {
            var ticket = await desk.OpenTicketAsync(host);
            host.Clock.Advance(Duration.FromHours(1));
            // A committed change wakes the queue at once; without one it would look again within its recheck interval.
            await desk.OpenTicketAsync(host);

            await Eventually(async () => (await Desk.TicketAsync(host, ticket.Number)).Tags.Contains("unclaimed"));
            (await host.WithDbAsync(db => db.Leases.SingleAsync())).Name.Should().Be(SlaDueQueueService.LeaseName);
        }
        finally
        {
            await service.StopAsync(CancellationToken.None);
        }
        (await host.WithDbAsync(db => db.Leases.CountAsync())).Should().Be(0, "a stopping node gives the lease up");
    }

    private static async Task Eventually(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("The condition did not hold within 15 s.");
            await Task.Delay(20);
        }
    }
}
