using HelpDesk.Application.Persistence;
using HelpDesk.Application.Sla;
using HelpDesk.Domain.Agents;
using HelpDesk.Domain.Customers;
using HelpDesk.Domain.Sla;
using HelpDesk.Domain.Surveys;
using HelpDesk.Domain.Tickets;
using NodaTime;

namespace HelpDesk.BulkData;

/// <summary>
/// Writes one ticket's plausible life through the <see cref="Ticket"/> aggregate with explicit instants, the way the
/// handlers would have changed it (policy re-selected after every change): opened by a customer, assigned or
/// claimed, answered in the team's office hours, notes, pauses (pending for the customer, on hold for a third party),
/// reassignments, escalated priorities, moves to another team, customer replies, solves, reopens, closes. Nothing is
/// written after <c>now</c>: a story that reaches the present stops there, which leaves the recent tickets open (the
/// backlog). Deterministic for a given random source. The distributions are documented in docs/reporting.md.
/// </summary>
public sealed class TicketStory
{
    private static readonly string[] Subjects =
    [
        "Cannot log in after password reset", "Invoice charged twice", "Export to CSV misses a column", "API returns 503",
        "Change of billing address", "Two-factor code never arrives", "Refund for cancelled order", "Sync stuck at 99 %",
        "Add a user to our account", "Webhook deliveries failing", "Upgrade to the annual plan", "Report shows wrong totals",
        "Mobile app crashes on start", "Cannot upload attachments", "Question about VAT on invoice", "SSO login loops",
        "Data import rejected", "Slow dashboard since Monday", "Cancel my subscription", "Printer driver download broken",
    ];

    private static readonly string[] CustomerTexts =
    [
        "Hello, this started this morning and blocks our team. Can you please have a look?",
        "Thanks for the quick answer. I tried that but it still happens, screenshot attached.",
        "Any news on this? We need it fixed before the end of the week.",
        "That worked, thank you! Please close the ticket.",
        "Sorry, it is back again since yesterday afternoon.",
        "Here are the details you asked for: account 4711, browser Firefox 142, no proxy.",
    ];

    private static readonly string[] AgentTexts =
    [
        "Thanks for reaching out. Could you send us the exact error message and the time it happened?",
        "I have reset the setting on our side; please try again and let me know if it works now.",
        "We have found the cause and deployed a fix. Sorry for the trouble!",
        "I have forwarded this to our billing team; you will get the corrected invoice by e-mail.",
        "Glad it works again. I am closing this ticket; just reply if anything else comes up.",
    ];

    private static readonly string[] NoteTexts =
    [
        "Checked the logs: timeouts from the EU cluster at the reported time.",
        "Customer is on the legacy plan, escalate if it happens again.",
        "Waiting for the vendor's answer, ticket VEN-2231.",
        "Same issue as last week's incident, see the post-mortem.",
    ];

    /// <summary>
    /// A customer's own reference in the first message (an order or contract number): 8 characters practically unique to the ticket,
    /// so the text has rare words as well as the few dozen common phrases (searches for a rare substring). Derived from
    /// the number alone (a multiplicative hash in base 32), so the story's random draws stay as they were.
    /// </summary>
    public static string Reference(int number)
    {
        const string digits = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
        var value = unchecked((uint)number * 2654435761u);
        var text = new char[8];
        for (var i = 0; i < text.Length; i++, value = value * 1103515245u + 12345u) text[i] = digits[(int)(value >> 27)];
        return new string(text);
    }

    private readonly Random _rng;
    private readonly IReadOnlyList<BulkTeam> _teams;
    private readonly SlaConfiguration _configuration;
    private readonly Instant _now;
    private readonly string? _organisation;
    private BulkTeam _team;
    private Ticket _ticket = null!;
    private Instant _at;
    private bool _done;

    private TicketStory(Random rng, IReadOnlyList<BulkTeam> teams, BulkTeam team, SlaConfiguration configuration, string? organisation, Instant now)
    {
        _rng = rng;
        _teams = teams;
        _team = team;
        _configuration = configuration;
        _organisation = organisation;
        _now = now;
    }

    /// <summary>The ticket, its history written up to <paramref name="now"/> at the latest.</summary>
    public static Ticket Write(Random rng, int number, Instant createdAt, BulkTeam team, IReadOnlyList<BulkTeam> teams, Customer requester,
        SlaConfiguration configuration, Instant now)
    {
        var story = new TicketStory(rng, teams, team, configuration, requester.Organisation, now);
        story.Tell(number, createdAt, requester);
        return story._ticket;
    }

    private void Tell(int number, Instant createdAt, Customer customer)
    {
        var priority = Pick((0.05, Priority.Urgent), (0.20, Priority.High), (0.55, Priority.Normal), (0.20, Priority.Low));
        var channel = Pick((0.60, "email"), (0.25, "web"), (0.15, "api"));
        var subject = Subjects[_rng.Next(Subjects.Length)];
        _at = createdAt;
        _ticket = Ticket.Open(Guid.CreateVersion7(), number, subject, customer, _team.Team.Id, priority, channel,
            $"{CustomerTexts[_rng.Next(2)]} Our reference: {Reference(number)}.", null, Actor.ForCustomer(customer.Id, customer.Name, customer.Email), createdAt);
        Changed();
        var requester = Actor.ForCustomer(customer.Id, customer.Name, customer.Email);

        // Story-wide traits: a few tickets are forgotten for days to weeks at some point, a few change hands.
        var forgotten = _rng.NextDouble() < 0.03;
        var reassign = _rng.NextDouble() < 0.12;
        var move = _rng.NextDouble() < 0.03 && _teams.Count > 1;
        var escalate = _rng.NextDouble() < 0.05 && priority is not Priority.Urgent;

        Agent? assignee = null;
        if (_rng.NextDouble() < 0.85)
        {
            // Triage: the lead assigns, or an agent claims from the queue.
            if (!Next(AgentTime(Minutes(5, 60)))) return;
            assignee = AnyAgent();
            if (_rng.NextDouble() < 0.5) _ticket.Assign(assignee, Lead, _at);
            else _ticket.Claim(assignee, _at);
            Changed();
        }
        if (move)
        {
            if (!Next(AgentTime(Minutes(10, 120)))) return;
            var to = _teams.Where(t => t != _team).ElementAt(_rng.Next(_teams.Count - 1));
            _ticket.MoveToTeam(to.Team.Id, id => to.Agents.Any(a => a.Id == id) || to.Lead.Id == id, Lead, _at);
            _team = to;
            Changed();
            assignee = null;
        }
        if (escalate)
        {
            if (!Next(AgentTime(Minutes(5, 90)))) return;
            _ticket.ChangePriority(_ticket.Priority - 1, Lead, _at);
            Changed();
        }

        var reopens = 0;
        for (var round = 0; round < 6 && !_done; round++)
        {
            if (forgotten && _rng.NextDouble() < 0.5)
            {
                forgotten = false;
                if (!Next(_at + Duration.FromDays(_rng.Next(3, 21)))) return;
            }
            if (_rng.NextDouble() < 0.25)
            {
                if (!Next(AgentTime(Minutes(5, 90)))) return;
                _ticket.AddInternalNote(assignee ?? _team.Lead, NoteTexts[_rng.Next(NoteTexts.Length)], null, _at);
                Changed();
            }
            if (reassign && round == (assignee is null ? 0 : _rng.Next(2)) && _team.Agents.Count > 1)
            {
                reassign = false;
                if (!Next(AgentTime(Minutes(10, 240)))) return;
                var others = _team.Agents.Where(a => a.Id != assignee?.Id).ToList();
                var other = others[_rng.Next(others.Count)];
                _ticket.Assign(other, Lead, _at);
                Changed();
                assignee = other;
            }

            // The answer: median a third of a typical target, a long tail (the slow answers that breach).
            if (!Next(AgentTime(ResponseDelay(_ticket.Priority, round == 0)))) return;
            if (assignee is null)
            {
                assignee = AnyAgent();
                _ticket.Claim(assignee, _at);
                Changed();
            }
            if (_ticket.Status == TicketStatus.OnHold)
            {
                _ticket.ChangeStatus(TicketStatus.Open, Agent(assignee), _at);
                Changed();
            }
            var solves = round switch { 0 => 0.45, 1 => 0.55, _ => 0.7 };
            var next = Pick((solves, TicketStatus.Solved), (0.30, TicketStatus.Pending), (0.07, TicketStatus.OnHold), (1.0, TicketStatus.Open));
            _ticket.AddAgentReply(assignee, AgentTexts[_rng.Next(AgentTexts.Length)], null, null, _at);
            _ticket.ChangeStatus(next, Agent(assignee), _at);
            Changed();

            switch (next)
            {
                case TicketStatus.Pending:
                    if (_rng.NextDouble() < 0.03)
                    {
                        if (!Next(_at + Duration.FromSeconds(_rng.Next(5, 120)))) return;
                        _ticket.AddCustomerMessage(requester, "I am out of the office until Monday.", null, isAutomatic: true, _at);
                        Changed();
                    }
                    if (_rng.NextDouble() < 0.75)
                    {
                        if (!Next(_at + CustomerDelay())) return;
                        _ticket.AddCustomerMessage(requester, CustomerTexts[2 + _rng.Next(CustomerTexts.Length - 2)], null, false, _at);
                        Changed();
                    }
                    else
                    {
                        // No answer: the agent solves it after a few working days.
                        if (!Next(AgentTime(Duration.FromHours(_rng.Next(16, 40))))) return;
                        _ticket.ChangeStatus(TicketStatus.Solved, Agent(assignee), _at);
                        Changed();
                        if (!Close(ref reopens, requester)) return;
                    }
                    break;
                case TicketStatus.OnHold:
                    // Waiting for a third party; the agent picks it up again with the next answer.
                    if (!Next(_at + Duration.FromHours(_rng.Next(4, 96)))) return;
                    break;
                case TicketStatus.Open:
                    if (!Next(_at + CustomerDelay())) return;
                    _ticket.AddCustomerMessage(requester, CustomerTexts[1 + _rng.Next(CustomerTexts.Length - 1)], null, false, _at);
                    Changed();
                    break;
                case TicketStatus.Solved:
                    if (!Close(ref reopens, requester)) return;
                    break;
            }
        }
    }

    /// <summary>After a solve: the customer reopens now and then, otherwise the system closes it after four days.</summary>
    private bool Close(ref int reopens, Actor requester)
    {
        if (reopens < 2 && _rng.NextDouble() < 0.08)
        {
            reopens++;
            if (!Next(_at + Duration.FromHours(_rng.Next(2, 72)))) return false;
            _ticket.AddCustomerMessage(requester, CustomerTexts[4], null, false, _at);
            Changed();
            return true;
        }
        if (!Next(_at + Duration.FromDays(4))) return false;
        _ticket.ChangeStatus(TicketStatus.Closed, Actor.System, _at);
        Changed();
        _done = true;
        return false;
    }

    /// <summary>
    /// The satisfaction surveys of a told ticket, one per solve (as <see cref="Surveys.SurveyOnSolve"/> sends them),
    /// about three in ten answered within the validity window and before now: ratings mostly 4-5, lower when an SLA
    /// cycle breached or the ticket was reopened; half of the raters also answer NPS and CES (in line with the rating),
    /// one in five leaves a comment.
    /// </summary>
    public static IEnumerable<Survey> Surveys(Random rng, Ticket ticket, string recipient, bool troubled, Duration validity, Instant now)
    {
        foreach (var solve in ticket.History.Where(h => h.Kind == TicketChangeKind.StatusChanged && h.To == nameof(TicketStatus.Solved)))
        {
            var survey = Survey.Send(Guid.CreateVersion7(), ticket.Id, ticket.Number, solve.Sequence, recipient, solve.At, validity);
            var answeredAt = solve.At + Duration.FromMinutes(Math.Min(90 * Math.Exp(1.3 * Gaussian(rng)), 60 * 24 * 20));
            if (rng.NextDouble() < 0.3 && answeredAt <= now && !survey.IsExpiredAt(answeredAt))
            {
                var u = rng.NextDouble() + (troubled ? 0.25 : 0);
                var rating = u < 0.45 ? 5 : u < 0.75 ? 4 : u < 0.85 ? 3 : u < 0.93 ? 2 : 1;
                survey.Rate(rating, answeredAt);
                if (rng.NextDouble() < 0.5)
                    survey.AddFeedback(rng.NextDouble() < 0.2 ? Comments[rating - 1] : null,
                        Math.Clamp(rating * 2 + rng.Next(-1, 2), 0, 10), Math.Clamp(rating + 2 + rng.Next(-1, 1), 1, 7),
                        answeredAt + Duration.FromSeconds(rng.Next(10, 120)));
            }
            yield return survey;
        }
    }

    private static readonly string[] Comments =
    [
        "Took far too long and I had to explain everything twice.", "Solved in the end, but slowly.", "OK.",
        "Quick and friendly, thanks.", "Excellent support, solved in minutes!",
    ];

    /// <summary>Moves the story to <paramref name="at"/>; false (and the story ends) when that is after now.</summary>
    private bool Next(Instant at)
    {
        if (at > _now) return false;
        _at = at < _at ? _at : at;
        return true;
    }

    /// <summary>What every handler does after a change: the SLA policy is chosen by what the ticket looks like now.</summary>
    private void Changed() =>
        SlaScheduler.ReselectPolicy(_ticket, _configuration, SlaScheduler.FactsOf(_ticket, _team.Team.Name, _organisation), _at);

    /// <summary>Agents work in their team's office hours; urgent tickets are answered by whoever is on call, around the clock.</summary>
    private Instant AgentTime(Duration business) =>
        _ticket.Priority == Priority.Urgent || !_team.Office.TryAddBusinessTime(_at, business, out var at) ? _at + business : at;

    private Duration ResponseDelay(Priority priority, bool first)
    {
        var median = priority switch
        {
            Priority.Urgent => 20.0,
            Priority.High => 80.0,
            Priority.Normal => first ? 150.0 : 240.0,
            _ => 300.0,
        };
        return Duration.FromMinutes(Math.Min(median * Math.Exp(0.95 * Gaussian()), 60 * 24 * 10));
    }

    /// <summary>Customers answer any time of day: an hour to a few days.</summary>
    private Duration CustomerDelay() => Duration.FromMinutes(Math.Min(240 * Math.Exp(1.1 * Gaussian()), 60 * 24 * 14));

    private Duration Minutes(int min, int max) => Duration.FromMinutes(_rng.Next(min, max));

    private Agent AnyAgent() => _team.Agents.Count == 0 ? _team.Lead : _team.Agents[_rng.Next(_team.Agents.Count)];

    private Actor Lead => Agent(_team.Lead);

    private static Actor Agent(Agent a) => Actor.ForAgent(a.Id, a.Name, a.Email);

    private double Gaussian() => Gaussian(_rng);

    private static double Gaussian(Random rng) =>
        Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());

    /// <summary>Picks by cumulative weights in order; the last choice takes what is left.</summary>
    private T Pick<T>(params (double Weight, T Value)[] choices)
    {
        var u = _rng.NextDouble();
        foreach (var (weight, value) in choices)
        {
            if (u < weight) return value;
            u -= weight;
        }
        return choices[^1].Value;
    }
}
