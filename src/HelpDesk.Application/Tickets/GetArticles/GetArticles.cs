using HelpDesk.Application.Common;
using HelpDesk.Application.Mail;
using HelpDesk.Application.Persistence;
using Mediator;
using Microsoft.EntityFrameworkCore;
using NodaTime;

namespace HelpDesk.Application.Tickets.GetArticles;

/// <param name="RemoteImages">Show the sanitised HTML with remote images (blocked by default).</param>
public sealed record GetArticles(int Number, bool RemoteImages = false) : IQuery<IReadOnlyList<ArticleDto>>;

public sealed record ArticleDto(Guid Id, string Kind, string Visibility, string AuthorType, string AuthorName, string? AuthorEmail,
    string BodyText, string? BodyHtml, Instant CreatedAt, ArticleMailDto? Mail = null, string? ThreadedBy = null,
    IReadOnlyList<AttachmentDto>? Attachments = null);

/// <summary>Mail facts of an article: its Message-ID, the quote split (an index into bodyText; nothing is removed), notes.</summary>
public sealed record ArticleMailDto(string MessageId, string Classification, int? QuoteStartsAt, string? NewText, bool RemoteImagesBlocked,
    int? PossiblyRelatedTo, string? ReplyTo, string? Notes);

public sealed record AttachmentDto(Guid Id, string FileName, string ContentType, long Size, string Sha256, bool Inline, string? Url, string? RefusedReason);

public sealed class GetArticlesHandler(HelpDeskDbContext db, Caller caller) : IQueryHandler<GetArticles, IReadOnlyList<ArticleDto>>
{
    public async ValueTask<IReadOnlyList<ArticleDto>> Handle(GetArticles query, CancellationToken ct)
    {
        var ticket = await caller.VisibleTicketAsync(db.Tickets.AsNoTracking(), query.Number, ct);
        var articles = await db.Articles.AsNoTracking().Where(a => a.TicketId == ticket.Id)
            .OrderBy(a => a.CreatedAt).ThenBy(a => a.Id)
            .ToListAsync(ct);
        var mail = await db.Set<ArticleMail>().AsNoTracking().Where(m => m.TicketId == ticket.Id).ToDictionaryAsync(m => m.ArticleId, ct);
        var files = (await db.Set<MailAttachment>().AsNoTracking().Where(f => f.TicketId == ticket.Id)
                .Select(f => new { f.Id, f.ArticleId, f.FileName, f.ContentType, f.Size, f.Sha256, f.Inline, f.RefusedReason }).ToListAsync(ct))
            .ToLookup(f => f.ArticleId);
        return articles.Select(a =>
        {
            mail.TryGetValue(a.Id, out var m);
            var html = query.RemoteImages && m?.HtmlWithRemoteImages is { } withImages ? withImages : a.BodyHtml;
            return new ArticleDto(a.Id, Vocabulary.Name(a.Kind), Vocabulary.Name(a.Visibility), Vocabulary.Name(a.AuthorType),
                a.AuthorName, a.AuthorEmail, a.BodyText, html, a.CreatedAt,
                m is null ? null : new ArticleMailDto(m.MessageId, m.Classification, m.QuoteStartsAt,
                    m.QuoteStartsAt is { } q && q <= a.BodyText.Length ? a.BodyText[..q].TrimEnd() : null, m.RemoteImagesBlocked, m.PossiblyRelatedTo, m.ReplyTo, m.Notes),
                m?.ThreadedBy,
                files[a.Id].Select(f => new AttachmentDto(f.Id, f.FileName, f.ContentType, f.Size, f.Sha256, f.Inline,
                    f.RefusedReason is null ? $"/api/v1/tickets/{query.Number}/attachments/{f.Id}" : null, f.RefusedReason)).ToList());
        }).ToList();
    }
}
