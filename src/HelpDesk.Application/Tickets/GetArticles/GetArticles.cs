using HelpDesk.Application.Common;
using HelpDesk.Application.Persistence;
using Mediator;
using Microsoft.EntityFrameworkCore;
using NodaTime;

namespace HelpDesk.Application.Tickets.GetArticles;

public sealed record GetArticles(int Number) : IQuery<IReadOnlyList<ArticleDto>>;

public sealed record ArticleDto(Guid Id, string Kind, string Visibility, string AuthorType, string AuthorName, string? AuthorEmail,
    string BodyText, string? BodyHtml, Instant CreatedAt);

public sealed class GetArticlesHandler(HelpDeskDbContext db, Caller caller) : IQueryHandler<GetArticles, IReadOnlyList<ArticleDto>>
{
    public async ValueTask<IReadOnlyList<ArticleDto>> Handle(GetArticles query, CancellationToken ct)
    {
        var ticket = await db.Tickets.AsNoTracking().SingleOrDefaultAsync(t => t.Number == query.Number, ct)
            ?? throw new NotFoundException($"Ticket #{query.Number} was not found.");
        await caller.EnsureCanSeeAsync(ticket, ct);
        var articles = await db.Articles.AsNoTracking().Where(a => a.TicketId == ticket.Id)
            .OrderBy(a => a.CreatedAt).ThenBy(a => a.Id)
            .ToListAsync(ct);
        return articles.Select(a => new ArticleDto(a.Id, Vocabulary.Name(a.Kind), Vocabulary.Name(a.Visibility), Vocabulary.Name(a.AuthorType),
            a.AuthorName, a.AuthorEmail, a.BodyText, a.BodyHtml, a.CreatedAt)).ToList();
    }
}
