using FluentValidation;
using HelpDesk.Application.Common;
using HelpDesk.Application.Macros;
using HelpDesk.Application.Macros.ApplyMacro;
using HelpDesk.Application.Macros.DeleteMacro;
using HelpDesk.Application.Macros.GetMacros;
using HelpDesk.Application.Macros.SaveMacro;
using HelpDesk.Application.Mail;
using HelpDesk.Application.Tests.Support;
using HelpDesk.Application.Tickets;
using HelpDesk.Application.Tickets.CreateTicket;
using HelpDesk.Application.Tickets.GetTicketSla;
using HelpDesk.Domain.Common;
using HelpDesk.Domain.Macros;
using HelpDesk.Domain.Sla;
using HelpDesk.Domain.Tickets;
using Microsoft.EntityFrameworkCore;
using NodaTime;

namespace HelpDesk.Application.Tests.Macros;

/// <summary>Macros through the real pipeline: variables, fallbacks, refusals, the changes they make by the ordinary paths, who may do what.</summary>
public sealed class MacroSliceTests() : DeskTest
{
    private Task<MacroDto> SaveAsync(MacroInput input, Guid? asAgent = null, Guid? id = null) =>
        _host.SendAsync(new SaveMacro(id, input), asAgent ?? _desk.Lena.Id);

    private static MacroInput Macro(string? body, string? team = "support", string? visibility = null, string? status = null, string? priority = null,
        IReadOnlyList<string>? addTags = null, IReadOnlyList<string>? removeTags = null, string? assignee = null, string name = "Password reset") =>
        new(name, team, body, visibility, status, priority, addTags, removeTags, assignee);

    private Task<MacroApplication> ApplyAsync(int number, Guid macro, bool preview = false, Guid? asAgent = null, int? expectedVersion = null) =>
        _host.SendAsync(new ApplyMacro(number, macro, preview, expectedVersion), asAgent ?? _desk.Alice.Id);

    private Task<TicketDto> OpenAsync(string? requesterName = "Carol Smith") =>
        _host.SendAsync(new CreateTicket("Printer on fire", "It is really on fire.", new RequesterInput("carol@customer.test", requesterName), "normal", "support"));

    [Fact]
    public async Task Fills_in_customer_ticket_agent_and_sla_variables()
    {
        var ticket = await OpenAsync();
        var macro = await SaveAsync(Macro("Hi {{customer.firstName}} ({{ customer.name }}), #{{ticket.number}} \"{{ticket.subject}}\" is with {{agent.name}}; "
            + "we answer by {{sla.firstResponse.dueAt}}."));

        var result = await ApplyAsync(ticket.Number, macro.Id, preview: true);

        result.Plan.Reply.Should().Be($"Hi Carol (Carol Smith), #{ticket.Number} \"Printer on fire\" is with Alice; we answer by 2026-03-02 13:00 (UTC).");
    }

    [Fact]
    public async Task Uses_the_fallback_when_a_variable_has_no_value()
    {
        var ticket = await OpenAsync(requesterName: null);
        var macro = await SaveAsync(Macro("Hello {{customer.firstName | \"there\"}}, next reply by {{sla.nextReply.dueAt | \"soon\"}}."));

        var result = await ApplyAsync(ticket.Number, macro.Id);

        result.Plan.Reply.Should().Be("Hello there, next reply by soon.");
        var stored = await Desk.TicketAsync(_host, ticket.Number);
        stored.Articles.Should().Contain(a => a.BodyText == "Hello there, next reply by soon." && a.Visibility == Visibility.Public);
    }

    [Fact]
    public async Task Refuses_a_missing_variable_without_fallback_before_anything_is_written()
    {
        var ticket = await OpenAsync(requesterName: null);
        var macro = await SaveAsync(Macro("Hello {{customer.firstName}}", status: "pending"));
        var before = await Desk.TicketAsync(_host, ticket.Number);

        var refused = await FluentActions.Awaiting(() => ApplyAsync(ticket.Number, macro.Id)).Should().ThrowAsync<MissingVariable>();

        refused.Which.Variable.Should().Be("customer.firstName");
        refused.Which.Code.Should().Be("macro.variable_missing");
        var after = await Desk.TicketAsync(_host, ticket.Number);
        after.Version.Should().Be(before.Version);
        after.Articles.Should().HaveCount(before.Articles.Count);
        after.Status.Should().Be(TicketStatus.New);
        (await _host.WithDbAsync(db => db.MacroUses.CountAsync())).Should().Be(0);
        await FluentActions.Awaiting(() => ApplyAsync(ticket.Number, macro.Id, preview: true)).Should().ThrowAsync<MissingVariable>("a preview refuses alike");
    }

    [Fact]
    public async Task Rejects_unknown_variables_and_malformed_placeholders_when_saved()
    {
        var unknown = await FluentActions.Awaiting(() => SaveAsync(Macro("Hi {{customer.shoeSize}}"))).Should().ThrowAsync<ValidationException>();
        unknown.Which.Errors.Should().Contain(e => e.PropertyName == "body" && e.ErrorMessage.Contains("{{customer.shoeSize}} is not a variable"));
        var open = await FluentActions.Awaiting(() => SaveAsync(Macro("Hi {{customer.name"))).Should().ThrowAsync<ValidationException>();
        open.Which.Errors.Should().Contain(e => e.PropertyName == "body");
        var nothing = await FluentActions.Awaiting(() => SaveAsync(Macro(null))).Should().ThrowAsync<ValidationException>();
        nothing.Which.Errors.Should().Contain(e => e.PropertyName == "body");
        var backToNew = await FluentActions.Awaiting(() => SaveAsync(Macro(null, status: "new"))).Should().ThrowAsync<ValidationException>();
        backToNew.Which.Errors.Should().Contain(e => e.PropertyName == "status");
    }

    [Fact]
    public async Task Applies_its_actions_through_the_ordinary_changes_with_history_and_sla()
    {
        var ticket = await OpenAsync();
        ticket.SlaDueAt.Should().Be(TestHost.Start + Desk.FirstResponse);
        var macro = await SaveAsync(Macro("Hi {{customer.firstName}}, please try again.", status: "pending", priority: "high",
            addTags: ["password"], assignee: "me"));
        _host.Clock.Advance(Duration.FromMinutes(30));

        var result = await ApplyAsync(ticket.Number, macro.Id);

        result.Applied.Should().BeTrue();
        result.Ticket.Status.Should().Be("pending");
        result.Ticket.Priority.Should().Be("high");
        result.Ticket.Tags.Should().Equal("password");
        result.Ticket.Assignee!.Email.Should().Be("alice@desk.test");
        var stored = await Desk.TicketAsync(_host, ticket.Number);
        var changes = stored.History.OrderBy(h => h.Sequence)
            .Where(h => h.Kind != TicketChangeKind.Created && h.Kind != TicketChangeKind.SlaPolicyApplied).ToList();
        changes.Select(h => h.Kind).Should().Equal(TicketChangeKind.Assigned, TicketChangeKind.PublicAgentReply, TicketChangeKind.PriorityChanged,
            TicketChangeKind.TagAdded, TicketChangeKind.StatusChanged);
        changes.Should().OnlyContain(h => h.ActorId == _desk.Alice.Id && h.At == TestHost.Start + Duration.FromMinutes(30));
        stored.Articles.Single(a => a.Id == result.ArticleId).BodyText.Should().Be("Hi Carol, please try again.");
        (await _host.WithDbAsync(db => db.Set<OutboxMail>().CountAsync(m => m.TicketNumber == ticket.Number && m.Kind == "reply")))
            .Should().Be(1, "a public reply is mailed through the outbox like one by hand");
        var sla = await _host.QueryAsync(new GetTicketSla(ticket.Number), _desk.Alice.Id);
        var firstResponse = sla.Report.Clocks.Single(c => c.Metric == SlaMetric.FirstResponse);
        firstResponse.StoppedAt.Should().Be(TestHost.Start + Duration.FromMinutes(30), "the macro's reply is the first response");
        firstResponse.State.Should().Be(CycleState.Met);
        result.Ticket.SlaDueAt.Should().BeNull("nothing is counting once answered and pending");
    }

    [Fact]
    public async Task Writes_an_internal_note_when_its_visibility_is_internal_and_leaves_the_first_response_clock_running()
    {
        var ticket = await OpenAsync();
        var macro = await SaveAsync(Macro("Called {{customer.name}} back.", visibility: "internal"));

        var result = await ApplyAsync(ticket.Number, macro.Id);

        var stored = await Desk.TicketAsync(_host, ticket.Number);
        stored.Articles.Single(a => a.Id == result.ArticleId).Visibility.Should().Be(Visibility.Internal);
        result.Ticket.SlaDueAt.Should().Be(TestHost.Start + Desk.FirstResponse);
        (await _host.WithDbAsync(db => db.Set<OutboxMail>().CountAsync(m => m.TicketNumber == ticket.Number && m.Kind == "reply"))).Should().Be(0);
    }

    [Fact]
    public async Task A_preview_answers_what_applying_does_and_changes_nothing()
    {
        var ticket = await OpenAsync();
        var macro = await SaveAsync(Macro("Dear {{customer.name}}, solved by {{agent.firstName}}.", status: "solved", removeTags: ["vip"],
            addTags: ["printer"], assignee: "lena@desk.test"));

        var preview = await ApplyAsync(ticket.Number, macro.Id, preview: true);

        preview.Applied.Should().BeFalse();
        preview.Ticket.Version.Should().Be(ticket.Version);
        (await Desk.TicketAsync(_host, ticket.Number)).Version.Should().Be(ticket.Version);
        (await _host.QueryAsync(new GetMacro(macro.Id), _desk.Alice.Id)).UsageCount.Should().Be(0, "a preview is not a use");

        var applied = await ApplyAsync(ticket.Number, macro.Id);

        applied.Plan.Should().BeEquivalentTo(preview.Plan);
        applied.Ticket.Status.Should().Be(preview.Plan.Status);
        applied.Ticket.Assignee!.Email.Should().Be(preview.Plan.Assignee);
        applied.Ticket.Tags.Should().Equal(preview.Plan.AddTags);
    }

    [Fact]
    public async Task Counts_each_application()
    {
        var first = await OpenAsync();
        var second = await OpenAsync();
        var macro = await SaveAsync(Macro(null, addTags: ["seen"]));

        await ApplyAsync(first.Number, macro.Id);
        await ApplyAsync(second.Number, macro.Id);

        (await _host.QueryAsync(new GetMacros(), _desk.Alice.Id)).Single(m => m.Id == macro.Id).UsageCount.Should().Be(2);
    }

    [Fact]
    public async Task Refuses_a_stale_reply_when_the_customer_wrote_since_the_version_seen()
    {
        var ticket = await OpenAsync();
        var macro = await SaveAsync(Macro("Thanks {{customer.firstName}}."));
        await Desk.AddCustomerMessageAsync(_host, ticket.Number);

        var refused = await FluentActions.Awaiting(() => ApplyAsync(ticket.Number, macro.Id, expectedVersion: ticket.Version))
            .Should().ThrowAsync<ConcurrencyConflict>();

        refused.Which.Code.Should().Be("reply.stale");
        (await _host.WithDbAsync(db => db.MacroUses.CountAsync())).Should().Be(0);
    }

    [Fact]
    public async Task Leads_manage_global_and_their_teams_macros_agents_only_use_them()
    {
        await FluentActions.Awaiting(() => SaveAsync(Macro("Hi"), asAgent: _desk.Alice.Id)).Should().ThrowAsync<ForbiddenException>();
        await FluentActions.Awaiting(() => SaveAsync(Macro("Hi", team: "tier2"))).Should().ThrowAsync<ForbiddenException>("a lead manages their own teams'");
        var global = await SaveAsync(Macro("Hi", team: null, name: "Greeting"));
        var support = await SaveAsync(Macro("Hi", name: "Support greeting"));
        var tier2 = await SaveAsync(Macro("Hi", team: "tier2", name: "Tier 2 greeting"), asAgent: _desk.Admin.Id);

        (await _host.QueryAsync(new GetMacros(), _desk.Tom.Id)).Select(m => m.Name).Should().Equal("Greeting", "Tier 2 greeting");
        (await _host.QueryAsync(new GetMacros(Q: "support"), _desk.Alice.Id)).Select(m => m.Id).Should().Equal(support.Id);
        await FluentActions.Awaiting(() => _host.QueryAsync(new GetMacro(support.Id), _desk.Tom.Id)).Should().ThrowAsync<NotFoundException>();
        await FluentActions.Awaiting(() => _host.SendAsync(new DeleteMacro(tier2.Id), _desk.Lena.Id)).Should().ThrowAsync<NotFoundException>();
        await FluentActions.Awaiting(() => _host.SendAsync(new DeleteMacro(global.Id), _desk.Alice.Id)).Should().ThrowAsync<ForbiddenException>();

        var renamed = await SaveAsync(Macro("Hello {{customer.firstName | \"there\"}}", team: null, name: "Hello"), id: global.Id);
        renamed.Body.Should().StartWith("Hello {{");
        await _host.SendAsync(new DeleteMacro(global.Id), _desk.Lena.Id);
        (await _host.QueryAsync(new GetMacros(), _desk.Alice.Id)).Select(m => m.Name).Should().Equal("Support greeting");
    }

    [Fact]
    public async Task An_agent_cannot_apply_another_teams_macro_or_one_to_another_teams_ticket()
    {
        var ticket = await OpenAsync();
        var support = await SaveAsync(Macro("Hi"));

        await FluentActions.Awaiting(() => ApplyAsync(ticket.Number, support.Id, asAgent: _desk.Tom.Id)).Should().ThrowAsync<NotFoundException>();
        var global = await SaveAsync(Macro("Hi", team: null, name: "Greeting"));
        await FluentActions.Awaiting(() => ApplyAsync(ticket.Number, global.Id, asAgent: _desk.Tom.Id)).Should().ThrowAsync<NotFoundException>();
    }
}
