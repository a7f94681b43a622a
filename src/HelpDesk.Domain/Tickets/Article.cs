using NodaTime;

namespace HelpDesk.Domain.Tickets;

/// <summary>What an article is, which decides what it does to status and SLA clocks.</summary>
public enum ArticleKind
{
    /// <summary>A public message: an agent's answer or a customer's message.</summary>
    Reply = 0,
    /// <summary>Internal note, never shown to the customer.</summary>
    Note = 1,
    /// <summary>An automatic message from the customer's side (out-of-office).</summary>
    AutoReply = 2,
    /// <summary>A delivery status report about mail we sent.</summary>
    Bounce = 3,
    /// <summary>Written by the system (escalation notes, acknowledgements).</summary>
    System = 4,
}

public enum Visibility
{
    Public = 0,
    Internal = 1,
}

public enum AuthorType
{
    Agent = 0,
    Customer = 1,
    System = 2,
}

/// <summary>One message in a ticket's thread. Articles are never edited or deleted.</summary>
public sealed class Article
{
    private Article() { BodyText = ""; AuthorName = ""; }

    internal Article(Guid id, Guid ticketId, ArticleKind kind, Visibility visibility, AuthorType authorType, Guid? authorId,
        string authorName, string? authorEmail, string bodyText, string? bodyHtml, Instant createdAt)
    {
        Id = id;
        TicketId = ticketId;
        Kind = kind;
        Visibility = visibility;
        AuthorType = authorType;
        AuthorId = authorId;
        AuthorName = authorName;
        AuthorEmail = authorEmail;
        BodyText = bodyText;
        BodyHtml = bodyHtml;
        CreatedAt = createdAt;
    }

    public Guid Id { get; private set; }
    public Guid TicketId { get; private set; }
    public ArticleKind Kind { get; private set; }
    public Visibility Visibility { get; private set; }
    public AuthorType AuthorType { get; private set; }
    /// <summary>The agent's or customer's id; null for system articles.</summary>
    public Guid? AuthorId { get; private set; }
    public string AuthorName { get; private set; }
    public string? AuthorEmail { get; private set; }
    public string BodyText { get; private set; }
    public string? BodyHtml { get; private set; }
    public Instant CreatedAt { get; private set; }

    public bool IsPublicAgentReply => Kind == ArticleKind.Reply && AuthorType == AuthorType.Agent && Visibility == Visibility.Public;
}
