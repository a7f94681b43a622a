using HelpDesk.Domain.Common;
using HelpDesk.Domain.Reporting;
using HelpDesk.Domain.Sla;
using NodaTime;

namespace HelpDesk.Domain.Tests.Reporting;

public class BreachAcknowledgementTests
{
    private static readonly Instant T0 = Instant.FromUtc(2026, 3, 2, 9, 0);
    private static readonly Guid Lena = Guid.NewGuid();
    private static readonly Guid Max = Guid.NewGuid();

    [Fact]
    public void Acknowledging_again_replaces_cause_and_note_and_records_the_new_author()
    {
        var acknowledgement = BreachAcknowledgement.Record(Guid.NewGuid(), SlaMetric.Resolution, 1, BreachCause.Staffing, " Two off sick ", Lena, T0);
        acknowledgement.Note.Should().Be("Two off sick");

        acknowledgement.Replace(BreachCause.ThirdParty, "Carrier outage", Max, T0 + Duration.FromHours(1));

        acknowledgement.Category.Should().Be(BreachCause.ThirdParty);
        acknowledgement.Note.Should().Be("Carrier outage");
        acknowledgement.AgentId.Should().Be(Max);
        acknowledgement.At.Should().Be(T0 + Duration.FromHours(1));
    }

    [Fact]
    public void Other_needs_a_note()
    {
        var act = () => BreachAcknowledgement.Record(Guid.NewGuid(), SlaMetric.FirstResponse, 1, BreachCause.Other, "  ", Lena, T0);

        act.Should().Throw<DomainRuleViolation>().Which.Code.Should().Be("breach.note_required");
    }

    [Fact]
    public void A_note_longer_than_2000_characters_is_refused()
    {
        var acknowledgement = BreachAcknowledgement.Record(Guid.NewGuid(), SlaMetric.FirstResponse, 1, BreachCause.Process, null, Lena, T0);

        var act = () => acknowledgement.Replace(BreachCause.Process, new string('x', 2001), Max, T0);

        act.Should().Throw<DomainRuleViolation>().Which.Code.Should().Be("breach.note_too_long");
        acknowledgement.Note.Should().BeEmpty();
        acknowledgement.AgentId.Should().Be(Lena);
    }
}
