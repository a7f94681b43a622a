using HelpDesk.Domain.Escalation;
using HelpDesk.Domain.Sla;
using HelpDesk.Domain.Tickets;
using NodaTime;

namespace HelpDesk.Domain.Tests.Escalation;

public sealed class EscalationEvaluatorTests
{
    private static readonly Instant T0 = Instant.FromUtc(2026, 3, 2, 9, 0);
    private static readonly TicketFacts Normal = new(Priority.Normal, "support", "email", ["billing"], null);
    private static readonly HashSet<FiringKey> NothingFired = [];

    private static EscalationRule Rule(EscalationFilters? filters, params EscalationCondition[] conditions) => new(
        Guid.NewGuid(), "rule", 1, true, filters ?? EscalationFilters.Any,
        conditions.Select((c, i) => new EscalationStep(i + 1, c, [new EscalationAction.Notify(NotifyTarget.Assignee)])).ToList(), T0);

    private static EscalationRule Ladder() => Rule(null,
        new EscalationCondition.SlaWarning(SlaMetric.FirstResponse, 75),
        new EscalationCondition.SlaBreached(null));

    private static HashSet<FiringKey> Fired(params FiringKey[] keys) => [.. keys];

    private static IEnumerable<int> Steps(IReadOnlyList<StepFiring> firings) => firings.Select(f => f.Step.Number);

    [Fact]
    public void A_warning_step_fires_on_a_warning_at_or_above_its_percent()
    {
        var rule = Ladder();

        Steps(EscalationEvaluator.Evaluate(rule, Normal, new EscalationTrigger.SlaAlert(SlaMetric.FirstResponse, 1, 50), NothingFired)).Should().BeEmpty();
        Steps(EscalationEvaluator.Evaluate(rule, Normal, new EscalationTrigger.SlaAlert(SlaMetric.FirstResponse, 1, 75), NothingFired)).Should().Equal(1);
        Steps(EscalationEvaluator.Evaluate(rule, Normal, new EscalationTrigger.SlaAlert(SlaMetric.FirstResponse, 1, 90), NothingFired)).Should().Equal(1);
    }

    [Fact]
    public void A_warning_step_for_one_metric_ignores_the_others()
    {
        var firings = EscalationEvaluator.Evaluate(Ladder(), Normal, new EscalationTrigger.SlaAlert(SlaMetric.Resolution, 1, 90), NothingFired);

        firings.Should().BeEmpty();
    }

    [Fact]
    public void A_breach_fires_every_step_it_has_passed_that_has_not_fired()
    {
        var rule = Ladder();
        var breach = new EscalationTrigger.SlaAlert(SlaMetric.FirstResponse, 1, SlaAlertPoint.Breach);

        Steps(EscalationEvaluator.Evaluate(rule, Normal, breach, NothingFired)).Should().Equal(1, 2);
        Steps(EscalationEvaluator.Evaluate(rule, Normal, breach, Fired(new FiringKey(rule.Id, 1, "firstResponse", 1)))).Should().Equal(2);
    }

    [Fact]
    public void A_step_fires_once_per_clock_cycle()
    {
        var rule = Ladder();
        var fired = new HashSet<FiringKey> { new(rule.Id, 2, "nextReply", 1) };

        Steps(EscalationEvaluator.Evaluate(rule, Normal, new EscalationTrigger.SlaAlert(SlaMetric.NextReply, 1, 100), fired)).Should().BeEmpty();
        EscalationEvaluator.Evaluate(rule, Normal, new EscalationTrigger.SlaAlert(SlaMetric.NextReply, 2, 100), fired)
            .Should().ContainSingle().Which.Key.Should().Be(new FiringKey(rule.Id, 2, "nextReply", 2));
    }

    [Fact]
    public void Filters_match_priority_team_and_any_of_the_tags()
    {
        var filters = new EscalationFilters(new HashSet<Priority> { Priority.Normal, Priority.High }, new HashSet<string> { "Support" }, new HashSet<string> { "vip", "billing" });
        var rule = Rule(filters, new EscalationCondition.SlaBreached(null));
        var breach = new EscalationTrigger.SlaAlert(SlaMetric.Resolution, 1, 100);

        EscalationEvaluator.Evaluate(rule, Normal, breach, NothingFired).Should().ContainSingle();
        EscalationEvaluator.Evaluate(rule, Normal with { Priority = Priority.Low }, breach, NothingFired).Should().BeEmpty();
        EscalationEvaluator.Evaluate(rule, Normal with { Team = "tier2" }, breach, NothingFired).Should().BeEmpty();
        EscalationEvaluator.Evaluate(rule, Normal with { Tags = ["other"] }, breach, NothingFired).Should().BeEmpty();
    }

    [Fact]
    public void A_ladder_entered_in_a_cycle_keeps_going_when_its_own_actions_changed_the_facts()
    {
        var rule = Rule(new EscalationFilters(new HashSet<Priority> { Priority.Normal }, new HashSet<string>(), new HashSet<string>()),
            new EscalationCondition.SlaWarning(null, 75), new EscalationCondition.SlaBreached(null));
        var raised = Normal with { Priority = Priority.High };

        Steps(EscalationEvaluator.Evaluate(rule, raised, new EscalationTrigger.SlaAlert(SlaMetric.FirstResponse, 1, 100),
            Fired(new FiringKey(rule.Id, 1, "firstResponse", 1)))).Should().Equal(2);
        EscalationEvaluator.Evaluate(rule, raised, new EscalationTrigger.SlaAlert(SlaMetric.NextReply, 1, 100), NothingFired).Should().BeEmpty();
    }

    [Fact]
    public void An_inactive_rule_never_fires()
    {
        var rule = Ladder();
        rule.Replace(rule.Position, false, rule.Filters, rule.Steps, T0);

        EscalationEvaluator.Evaluate(rule, Normal, new EscalationTrigger.SlaAlert(SlaMetric.FirstResponse, 1, 100), NothingFired).Should().BeEmpty();
        rule.Version.Should().Be(2);
    }

    [Fact]
    public void An_unassigned_step_fires_once_the_span_has_elapsed()
    {
        var rule = Rule(null, new EscalationCondition.Unassigned(Duration.FromHours(2)));

        EscalationEvaluator.Evaluate(rule, Normal, new EscalationTrigger.Unassigned(1, Duration.FromMinutes(119)), NothingFired).Should().BeEmpty();
        EscalationEvaluator.Evaluate(rule, Normal, new EscalationTrigger.Unassigned(1, Duration.FromHours(2)), NothingFired)
            .Should().ContainSingle().Which.Key.Should().Be(new FiringKey(rule.Id, 1, EscalationClock.Unassigned, 1));
        EscalationEvaluator.Evaluate(rule, Normal, new EscalationTrigger.SlaAlert(SlaMetric.FirstResponse, 1, 100), NothingFired).Should().BeEmpty();
    }

    [Fact]
    public void The_next_unassigned_due_instant_skips_steps_fired_in_this_spell()
    {
        var rule = Rule(null, new EscalationCondition.Unassigned(Duration.FromHours(1)), new EscalationCondition.Unassigned(Duration.FromHours(4)));
        var spell = new UnassignedSpell(3, T0);

        EscalationEvaluator.NextUnassignedDue(rule, Normal, spell, BusinessCalendar.TwentyFourSeven, NothingFired).Should().Be(T0 + Duration.FromHours(1));
        EscalationEvaluator.NextUnassignedDue(rule, Normal, spell, BusinessCalendar.TwentyFourSeven, Fired(new FiringKey(rule.Id, 1, "unassigned", 3)))
            .Should().Be(T0 + Duration.FromHours(4));
        EscalationEvaluator.NextUnassignedDue(rule, Normal, spell, BusinessCalendar.TwentyFourSeven, Fired(new FiringKey(rule.Id, 1, "unassigned", 2)))
            .Should().Be(T0 + Duration.FromHours(1), "a firing of an earlier spell does not count");
    }

    [Fact]
    public void Unassigned_time_is_business_time_of_the_calendar()
    {
        var weekdays = new[] { IsoDayOfWeek.Monday, IsoDayOfWeek.Tuesday, IsoDayOfWeek.Wednesday, IsoDayOfWeek.Thursday, IsoDayOfWeek.Friday }
            .ToDictionary(d => d, _ => (IReadOnlyList<WorkingRange>)[new WorkingRange(new LocalTime(9, 0), new LocalTime(17, 0))]);
        var calendar = BusinessCalendar.Create(DateTimeZone.Utc, weekdays, []);
        var rule = Rule(null, new EscalationCondition.Unassigned(Duration.FromHours(2)));
        var fridayAt16 = Instant.FromUtc(2026, 3, 6, 16, 0);

        EscalationEvaluator.NextUnassignedDue(rule, Normal, new UnassignedSpell(1, fridayAt16), calendar, NothingFired)
            .Should().Be(Instant.FromUtc(2026, 3, 9, 10, 0));
    }

    [Fact]
    public void A_rule_refuses_an_empty_ladder_and_bad_thresholds()
    {
        var noSteps = () => new EscalationRule(Guid.NewGuid(), "x", 1, true, EscalationFilters.Any, [], T0);
        var badPercent = () => Rule(null, new EscalationCondition.SlaWarning(null, 0));
        var badSpan = () => Rule(null, new EscalationCondition.Unassigned(Duration.Zero));

        noSteps.Should().Throw<HelpDesk.Domain.Common.DomainRuleViolation>().Which.Code.Should().Be("escalation.steps_required");
        badPercent.Should().Throw<HelpDesk.Domain.Common.DomainRuleViolation>().Which.Code.Should().Be("escalation.percent");
        badSpan.Should().Throw<HelpDesk.Domain.Common.DomainRuleViolation>().Which.Code.Should().Be("escalation.duration");
    }
}
