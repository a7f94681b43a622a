using HelpDesk.Domain.Agents;
using HelpDesk.Domain.Common;
using HelpDesk.Domain.Customers;
using HelpDesk.Domain.Sla;
using HelpDesk.Domain.Teams;
using NodaTime;

namespace HelpDesk.Domain.Tickets;

/// <summary>
/// The ticket aggregate: a customer's request, its thread and every change made to it.
/// Methods refuse illegal transitions with a <see cref="DomainRuleViolation"/> and record each change in
/// <see cref="History"/>, from which the SLA ledger is replayed. Time always comes in as an argument.
/// </summary>
public sealed class Ticket : ITeamOwned
{
    public const int MaxSubjectLength = 300;
    public const int MaxTags = 50;

    private readonly List<Article> _articles = [];
    private readonly List<TicketChange> _history = [];
    private readonly List<string> _tags = [];
    private readonly List<string> _participants = [];
    private readonly List<TicketEvent> _events = [];

    private Ticket() { Subject = ""; Channel = ""; }

    public Guid Id { get; private set; }
    /// <summary>The number customers see (<c>[#10042]</c>).</summary>
    public int Number { get; private set; }
    public string Subject { get; private set; }
    public Guid RequesterId { get; private set; }
    public Guid TeamId { get; private set; }
    public Guid? AssigneeId { get; private set; }
    public Priority Priority { get; private set; }
    public TicketStatus Status { get; private set; }
    /// <summary>How the ticket arrived: <c>email</c>, <c>api</c>, <c>web</c>.</summary>
    public string Channel { get; private set; }
    public Instant CreatedAt { get; private set; }
    public Instant UpdatedAt { get; private set; }
    /// <summary>Incremented by every change; the optimistic-concurrency token.</summary>
    public int Version { get; private set; }
    /// <summary>The <see cref="Version"/> at which the newest public message was added (the stale-reply guard compares against it).</summary>
    public int LastPublicMessageVersion { get; private set; }
    /// <summary>The ticket a customer wrote to after it was closed, when this one was opened for it.</summary>
    public int? FollowUpOf { get; private set; }
    /// <summary>Name of the SLA policy that applies, or null when none matched.</summary>
    public string? SlaPolicyName { get; private set; }
    /// <summary>Nearest due instant of a running SLA cycle (derived; the queue sorts by it).</summary>
    public Instant? SlaDueAt { get; private set; }
    /// <summary>Next instant at which an SLA warning or breach must fire (derived; the due-queue waits for it).</summary>
    public Instant? SlaNextAlertAt { get; private set; }

    /// <summary>
    /// The thread as loaded. No rule reads earlier articles (the stale-reply guard compares <see cref="LastPublicMessageVersion"/>),
    /// so a ticket loaded for a change holds only the articles the change adds.
    /// </summary>
    public IReadOnlyList<Article> Articles => _articles;
    public IReadOnlyList<TicketChange> History => _history;
    public IReadOnlyList<string> Tags => _tags;
    /// <summary>CC'd addresses that take part in the conversation besides the requester.</summary>
    public IReadOnlyList<string> Participants => _participants;
    /// <summary>Events raised since the aggregate was loaded; publish them after commit, then <see cref="ClearEvents"/>.</summary>
    public IReadOnlyList<TicketEvent> Events => _events;

    public bool IsClosed => Status == TicketStatus.Closed;
    public bool IsSolvedOrClosed => !Status.IsOpen();

    /// <summary>Opens a ticket for <paramref name="requester"/> with their first message as the description.</summary>
    /// <param name="authorName">The name the first message was signed with (a mail's display name); null: the customer's name.</param>
    public static Ticket Open(Guid id, int number, string subject, Customer requester, Guid teamId, Priority priority,
        string channel, string bodyText, string? bodyHtml, Actor openedBy, Instant now, int? followUpOf = null, string? authorName = null)
    {
        if (string.IsNullOrWhiteSpace(subject)) throw new DomainRuleViolation("ticket.subject_required", "A ticket needs a subject.");
        var ticket = new Ticket
        {
            Id = id,
            Number = number,
            Subject = subject.Trim().Length > MaxSubjectLength ? subject.Trim()[..MaxSubjectLength] : subject.Trim(),
            RequesterId = requester.Id,
            TeamId = teamId,
            Priority = priority,
            Status = TicketStatus.New,
            Channel = channel,
            CreatedAt = now,
            UpdatedAt = now,
            Version = 1,
            FollowUpOf = followUpOf,
        };
        ticket.Record(now, TicketChangeKind.Created, openedBy, null, priority.ToString());
        var article = new Article(Guid.CreateVersion7(), id, ArticleKind.Reply, Visibility.Public, AuthorType.Customer, requester.Id,
            authorName ?? requester.Name, requester.Email, bodyText, bodyHtml, now);
        ticket._articles.Add(article);
        ticket.LastPublicMessageVersion = ticket.Version;
        ticket._events.Add(new TicketEvent.Created(id, number, now));
        return ticket;
    }

    /// <summary>A public answer from an agent. Refused when the agent has not seen the newest public message.</summary>
    public Article AddAgentReply(Agent agent, string bodyText, string? bodyHtml, int? expectedVersion, Instant now)
    {
        now = NotBeforeLastChange(now);
        EnsureNotClosed();
        EnsureMayWork(agent);
        if (expectedVersion is { } seen && seen < LastPublicMessageVersion)
            throw new ConcurrencyConflict("reply.stale",
                $"Ticket #{Number} has a newer public message (version {LastPublicMessageVersion}) than the one this reply was written against (version {seen}).");
        var article = AddArticle(ArticleKind.Reply, Visibility.Public, Actor.ForAgent(agent.Id, agent.Name, agent.Email), bodyText, bodyHtml, now);
        Record(now, TicketChangeKind.PublicAgentReply, Actor.ForAgent(agent.Id, agent.Name, agent.Email), null, article.Id.ToString());
        LastPublicMessageVersion = Version;
        return article;
    }

    /// <summary>An internal note: never shown to the customer, never stops an SLA clock.</summary>
    public Article AddInternalNote(Agent agent, string bodyText, string? bodyHtml, Instant now)
    {
        now = NotBeforeLastChange(now);
        EnsureNotClosed();
        EnsureMayWork(agent);
        var actor = Actor.ForAgent(agent.Id, agent.Name, agent.Email);
        var article = AddArticle(ArticleKind.Note, Visibility.Internal, actor, bodyText, bodyHtml, now);
        Record(now, TicketChangeKind.InternalNote, actor, null, article.Id.ToString());
        return article;
    }

    /// <summary>A note written by the system (escalation rules, mail processing); internal.</summary>
    public Article AddSystemNote(string bodyText, Instant now)
    {
        now = NotBeforeLastChange(now);
        EnsureNotClosed();
        var article = AddArticle(ArticleKind.System, Visibility.Internal, Actor.System, bodyText, null, now);
        Record(now, TicketChangeKind.SystemNote, Actor.System, null, article.Id.ToString());
        return article;
    }

    /// <summary>
    /// A message from the customer's side. A real message sets a pending or solved ticket back to open (solved: a reopen);
    /// an automatic one (out-of-office) is attached but changes nothing. A closed ticket takes no more messages:
    /// the caller opens a follow-up ticket instead.
    /// </summary>
    public Article AddCustomerMessage(Actor customer, string bodyText, string? bodyHtml, bool isAutomatic, Instant now)
    {
        now = NotBeforeLastChange(now);
        if (IsClosed)
            throw new DomainRuleViolation("ticket.closed", $"Ticket #{Number} is closed; a new message opens a follow-up ticket.");
        var kind = isAutomatic ? ArticleKind.AutoReply : ArticleKind.Reply;
        var article = AddArticle(kind, Visibility.Public, customer, bodyText, bodyHtml, now);
        if (isAutomatic)
        {
            Record(now, TicketChangeKind.AutoReply, customer, null, article.Id.ToString());
            return article;
        }
        Record(now, TicketChangeKind.CustomerMessage, customer, null, article.Id.ToString());
        LastPublicMessageVersion = Version;
        if (Status is TicketStatus.Pending or TicketStatus.Solved)
            SetStatus(TicketStatus.Open, customer, now);
        return article;
    }

    /// <summary>
    /// A delivery status report about mail we sent, kept as an internal note. It never changes the status or starts an
    /// SLA cycle, and it is attached even to a closed ticket (it is about the past, not a new request).
    /// </summary>
    public Article AddBounce(string bodyText, Instant now)
    {
        now = NotBeforeLastChange(now);
        var article = AddArticle(ArticleKind.Bounce, Visibility.Internal, Actor.System, bodyText, null, now);
        Record(now, TicketChangeKind.Bounce, Actor.System, null, article.Id.ToString());
        return article;
    }

    public void ChangeStatus(TicketStatus status, Actor by, Instant now)
    {
        now = NotBeforeLastChange(now);
        EnsureNotClosed();
        if (status == Status) return;
        if (status == TicketStatus.New)
            throw new DomainRuleViolation("status.invalid_transition", $"Ticket #{Number} cannot go back to new.");
        SetStatus(status, by, now);
    }

    public void ChangePriority(Priority priority, Actor by, Instant now)
    {
        now = NotBeforeLastChange(now);
        EnsureNotClosed();
        if (priority == Priority) return;
        var from = Priority;
        Priority = priority;
        Record(now, TicketChangeKind.PriorityChanged, by, from.ToString(), priority.ToString());
        _events.Add(new TicketEvent.PriorityChanged(Id, Number, now, from, priority));
    }

    /// <summary>Gives the ticket to <paramref name="agent"/>, who must be an active member of the ticket's team.</summary>
    public void Assign(Agent agent, Actor by, Instant now)
    {
        now = NotBeforeLastChange(now);
        EnsureNotClosed();
        if (!agent.IsActive)
            throw new DomainRuleViolation("assignment.agent_inactive", $"{agent.Email} is not an active agent.");
        if (!agent.IsMemberOf(TeamId))
            throw new DomainRuleViolation("assignment.agent_not_in_team", $"{agent.Email} is not a member of the ticket's team.");
        if (AssigneeId == agent.Id) return;
        SetAssignee(agent.Id, by, now);
    }

    /// <summary>An agent takes an unassigned ticket of their team. A second claim loses, even a concurrent one (version check).</summary>
    public void Claim(Agent agent, Instant now)
    {
        now = NotBeforeLastChange(now);
        if (AssigneeId == agent.Id) return;
        if (AssigneeId is not null)
            throw new ConcurrencyConflict("claim.already_assigned", $"Ticket #{Number} is already assigned.");
        Assign(agent, Actor.ForAgent(agent.Id, agent.Name, agent.Email), now);
    }

    public void Unassign(Actor by, Instant now)
    {
        now = NotBeforeLastChange(now);
        EnsureNotClosed();
        if (AssigneeId is null) return;
        SetAssignee(null, by, now);
    }

    /// <summary>Moves the ticket to another team's queue; an assignee outside that team is removed.</summary>
    public void MoveToTeam(Guid teamId, Func<Guid, bool> assigneeIsMember, Actor by, Instant now)
    {
        now = NotBeforeLastChange(now);
        EnsureNotClosed();
        if (teamId == TeamId) return;
        var from = TeamId;
        TeamId = teamId;
        Record(now, TicketChangeKind.TeamChanged, by, from.ToString(), teamId.ToString());
        _events.Add(new TicketEvent.TeamChanged(Id, Number, now, from, teamId));
        if (AssigneeId is { } assignee && !assigneeIsMember(assignee)) SetAssignee(null, by, now);
    }

    public void AddTag(string tag, Actor by, Instant now)
    {
        now = NotBeforeLastChange(now);
        EnsureNotClosed();
        var normalised = NormaliseTag(tag);
        if (_tags.Contains(normalised)) return;
        if (_tags.Count >= MaxTags) throw new DomainRuleViolation("tags.too_many", $"A ticket has at most {MaxTags} tags.");
        _tags.Add(normalised);
        Record(now, TicketChangeKind.TagAdded, by, null, normalised);
        _events.Add(new TicketEvent.TagsChanged(Id, Number, now));
    }

    public void RemoveTag(string tag, Actor by, Instant now)
    {
        now = NotBeforeLastChange(now);
        EnsureNotClosed();
        var normalised = NormaliseTag(tag);
        if (!_tags.Remove(normalised)) return;
        Record(now, TicketChangeKind.TagRemoved, by, normalised, null);
        _events.Add(new TicketEvent.TagsChanged(Id, Number, now));
    }

    /// <summary>Adds a CC'd address to the conversation (participants may thread replies by subject tag).</summary>
    public void AddParticipant(string email, Actor by, Instant now)
    {
        now = NotBeforeLastChange(now);
        var normalised = EmailAddress.Normalise(email);
        if (_participants.Contains(normalised)) return;
        _participants.Add(normalised);
        Record(now, TicketChangeKind.ParticipantAdded, by, null, normalised);
    }

    /// <summary>Records which SLA policy governs the ticket from <paramref name="now"/> (null: none matched).</summary>
    public void ApplySlaPolicy(string? policyName, Instant now)
    {
        now = NotBeforeLastChange(now);
        if (policyName == SlaPolicyName) return;
        var from = SlaPolicyName;
        SlaPolicyName = policyName;
        Record(now, TicketChangeKind.SlaPolicyApplied, Actor.System, from, policyName);
    }

    /// <summary>Stores what the SLA engine derived. Not a change of the ticket: the version is left alone.</summary>
    public void ScheduleSla(Instant? dueAt, Instant? nextAlertAt)
    {
        SlaDueAt = dueAt;
        SlaNextAlertAt = nextAlertAt;
    }

    public void ClearEvents() => _events.Clear();

    public static string NormaliseTag(string tag) =>
        IsTag(tag) ? tag.Trim().ToLowerInvariant() : throw new DomainRuleViolation("tags.invalid", $"'{tag}' is not a valid tag (1-50 of a-z, 0-9, - _ . :).");

    /// <summary>Whether <paramref name="tag"/> is a tag <see cref="NormaliseTag"/> accepts (validators ask this instead of catching).</summary>
    public static bool IsTag(string? tag)
    {
        var t = tag?.Trim().ToLowerInvariant();
        return t is { Length: > 0 and <= 50 } && t.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or ':');
    }

    /// <summary>
    /// The ticket's SLA ledger: its history replayed as the events the SLA engine understands, in order.
    /// Policy switches and version changes are merged in by the caller (they depend on configuration).
    /// </summary>
    public IReadOnlyList<SlaEvent> SlaEvents()
    {
        var events = new List<SlaEvent>(_history.Count);
        foreach (var change in _history.OrderBy(h => h.Sequence))
        {
            SlaEvent? e = change.Kind switch
            {
                TicketChangeKind.Created => new SlaEvent.Created(change.At, Enum.Parse<Priority>(change.To!)),
                TicketChangeKind.PublicAgentReply => new SlaEvent.AgentReply(change.At),
                TicketChangeKind.InternalNote => new SlaEvent.InternalNote(change.At),
                TicketChangeKind.CustomerMessage => new SlaEvent.CustomerReply(change.At),
                TicketChangeKind.AutoReply or TicketChangeKind.Bounce => new SlaEvent.AutoReply(change.At),
                // A status change made by the customer's message is implied by the CustomerReply event itself.
                TicketChangeKind.StatusChanged when change.ActorType == AuthorType.Customer => null,
                TicketChangeKind.StatusChanged => new SlaEvent.StatusChanged(change.At, Enum.Parse<TicketStatus>(change.To!)),
                TicketChangeKind.PriorityChanged => new SlaEvent.PriorityChanged(change.At, Enum.Parse<Priority>(change.To!)),
                _ => null,
            };
            if (e is not null) events.Add(e);
        }
        return events;
    }

    private Article AddArticle(ArticleKind kind, Visibility visibility, Actor author, string bodyText, string? bodyHtml, Instant now)
    {
        if (string.IsNullOrWhiteSpace(bodyText) && string.IsNullOrWhiteSpace(bodyHtml))
            throw new DomainRuleViolation("article.body_required", "A message needs a body.");
        var article = new Article(Guid.CreateVersion7(), Id, kind, visibility, author.Type, author.Id, author.Name, author.Email,
            bodyText, bodyHtml, now);
        _articles.Add(article);
        _events.Add(new TicketEvent.ArticleAdded(Id, Number, now, article.Id, kind, visibility, author.Type));
        return article;
    }

    private void SetStatus(TicketStatus status, Actor by, Instant now)
    {
        var from = Status;
        Status = status;
        Record(now, TicketChangeKind.StatusChanged, by, from.ToString(), status.ToString());
        _events.Add(new TicketEvent.StatusChanged(Id, Number, now, from, status));
    }

    private void SetAssignee(Guid? agentId, Actor by, Instant now)
    {
        var from = AssigneeId;
        AssigneeId = agentId;
        Record(now, TicketChangeKind.Assigned, by, from?.ToString(), agentId?.ToString());
        _events.Add(new TicketEvent.Assigned(Id, Number, now, from, agentId));
    }

    private void Record(Instant now, TicketChangeKind kind, Actor actor, string? from, string? to)
    {
        if (_history.Count > 0) Version++;
        UpdatedAt = now;
        _history.Add(new TicketChange(Guid.CreateVersion7(), now, kind, actor, from, to) { Sequence = _history.Count + 1 });
    }

    // Nodes' clocks may differ by a few milliseconds; history (and so the SLA ledger) must never go backwards.
    private Instant NotBeforeLastChange(Instant now) => now < UpdatedAt ? UpdatedAt : now;

    private void EnsureNotClosed()
    {
        if (IsClosed) throw new DomainRuleViolation("ticket.closed", $"Ticket #{Number} is closed.");
    }

    private void EnsureMayWork(Agent agent)
    {
        if (!agent.IsActive) throw new DomainRuleViolation("agent.inactive", $"{agent.Email} is not an active agent.");
    }
}
