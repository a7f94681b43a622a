using FluentValidation;
using HelpDesk.Application.Common;
using HelpDesk.Application.Escalation;
using HelpDesk.Application.Escalation.GetEscalationRules;
using HelpDesk.Application.Escalation.PutEscalationRule;
using HelpDesk.Application.Tests.Support;

namespace HelpDesk.Application.Tests.Escalation;

public sealed class PutEscalationRuleTests : DeskTest
{
    private static EscalationRuleBody Body => new(2, true, new EscalationFiltersBody(["high"], ["support"], ["vip"]),
    [
        new(new EscalationConditionBody("sla_warning", "firstResponse", 75), [new EscalationActionBody("notify", Target: "assignee")]),
        new(new EscalationConditionBody("sla_breached", "any"),
        [
            new EscalationActionBody("notify", Target: "agent", Agent: "lena@desk.test"),
            new EscalationActionBody("raise_priority", Priority: "urgent"),
            new EscalationActionBody("reassign", Team: "tier2"),
        ]),
        new(new EscalationConditionBody("unassigned_for", Duration: "PT90M"), [new EscalationActionBody("reassign", Agent: "tom@desk.test")]),
    ]);

    [Fact]
    public async Task Stores_a_rule_in_the_shape_it_was_put_and_bumps_the_version_on_replace()
    {
        var created = await _desk.PutRuleAsync(_host, "First-Response", Body);
        var replaced = await _desk.PutRuleAsync(_host, "first-response", Body with { Active = false });

        created.Version.Should().Be(1);
        replaced.Version.Should().Be(2);
        var rules = await _host.QueryAsync(new GetEscalationRules());
        rules.Should().ContainSingle().Which.Should().BeEquivalentTo(new
        {
            Name = "first-response", Position = 2, Active = false, Version = 2,
            Filters = Body.Filters,
            Steps = Body.Steps!.Select(s => s with { When = s.When! with { Duration = s.When.Duration is null ? null : "PT1H30M" } }).ToList(),
        });
    }

    [Fact]
    public async Task Rejects_a_malformed_body_naming_each_field()
    {
        var body = new EscalationRuleBody(1, true, new EscalationFiltersBody(["critical"], [], []),
        [
            new(new EscalationConditionBody("sla_warning", "firstReply", 120), [new EscalationActionBody("notify", Target: "boss")]),
            new(new EscalationConditionBody("unassigned_for", Duration: "P1D"), []),
            new(new EscalationConditionBody("whenever"), [new EscalationActionBody("reassign"), new EscalationActionBody("add_tag", Tag: "no spaces")]),
        ]);

        var act = () => _desk.PutRuleAsync(_host, "bad", body);

        (await act.Should().ThrowAsync<ValidationException>()).Which.Errors.Select(e => e.PropertyName).Should().BeEquivalentTo(
            "filters.priorities[0]", "steps[0].when.metric", "steps[0].when.percent", "steps[0].actions[0].target",
            "steps[1].when.duration", "steps[1].actions", "steps[2].when.type", "steps[2].actions[0]", "steps[2].actions[1].tag");
    }

    [Fact]
    public async Task Rejects_teams_and_agents_that_do_not_exist()
    {
        var body = Body with { Filters = new EscalationFiltersBody([], ["nowhere"], []) };
        body.Steps![1].Actions![0] = new EscalationActionBody("notify", Target: "agent", Agent: "ghost@desk.test");

        var act = () => _desk.PutRuleAsync(_host, "refs", body);

        (await act.Should().ThrowAsync<ValidationException>()).Which.Errors.Select(e => e.PropertyName)
            .Should().BeEquivalentTo("filters.teams[0]", "steps[1].actions[0].agent");
    }

    [Fact]
    public async Task Only_admins_may_change_rules()
    {
        var act = () => _host.SendAsync(new PutEscalationRule("mine", Body), _desk.Lena.Id);

        await act.Should().ThrowAsync<ForbiddenException>();
    }
}
