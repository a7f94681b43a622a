using System.Net;
using System.Text;
using HelpDesk.Application.Surveys;

namespace HelpDesk.Web.Endpoints;

/// <summary>
/// The survey pages: server-rendered, self-contained (inline style, no script, no external assets), every value
/// HTML-encoded. Refused links get a page of their own with 400 (tampered), 410 (expired) or 404 (survey gone).
/// </summary>
public static class SurveyPages
{
    private static readonly string[] RatingWords = ["", "Very dissatisfied", "Dissatisfied", "Neutral", "Satisfied", "Very satisfied"];

    public static IResult Render(SurveyPage page, string token, bool saved) => page.State switch
    {
        SurveyLinkState.Valid => Html(StatusCodes.Status200OK, "Thank you", Body(page.Survey!, token, saved)),
        SurveyLinkState.Expired => Html(StatusCodes.Status410Gone, "This survey has expired",
            "<h1>This survey has expired</h1><p>The link in your mail is no longer valid, so nothing was recorded. "
            + "If you still need help, reply to any mail about your ticket.</p>"),
        SurveyLinkState.Unknown => Html(StatusCodes.Status404NotFound, "Survey not found",
            "<h1>Survey not found</h1><p>This survey no longer exists, so nothing was recorded.</p>"),
        _ => Html(StatusCodes.Status400BadRequest, "This link is not valid",
            "<h1>This link is not valid</h1><p>The survey link is incomplete or was changed, so nothing was recorded. "
            + "Please use the link exactly as it is in your mail.</p>"),
    };

    public static IResult BadAnswer() => Html(StatusCodes.Status400BadRequest, "That answer is not valid",
        "<h1>That answer is not valid</h1><p>Ratings are 1 to 5; nothing was recorded. Please use the links in your mail.</p>");

    private static string Body(SurveyView s, string token, bool saved)
    {
        var action = $"/survey/{Uri.EscapeDataString(token)}";
        var b = new StringBuilder();
        b.Append(s.Rating is { } r
            ? $"<h1>Thank you for your feedback</h1><p class=\"answer\" id=\"recorded\">You rated ticket #{s.TicketNumber}: <strong>{r} – {RatingWords[r]}</strong>.</p>"
            : $"<h1>How did we do?</h1><p>How satisfied are you with the help on ticket #{s.TicketNumber}?</p>");
        b.Append($"<p class=\"sub\">{E(s.TicketSubject)}</p>");
        if (saved) b.Append("<p class=\"saved\" role=\"status\">Your answers are saved.</p>");
        b.Append("<p>Change your rating:</p><p class=\"scale\">");
        for (var i = 1; i <= 5; i++)
            b.Append($"<a class=\"{(s.Rating == i ? "chosen" : "")}\" href=\"{action}?rating={i}\" title=\"{RatingWords[i]}\">{i}</a>");
        b.Append("</p>");
        b.Append($"<form method=\"post\" action=\"{action}\">");
        if (s.AskNps) b.Append(Scale("nps", "How likely are you to recommend us to a friend or colleague? (0 = not at all, 10 = extremely)", 0, 10, s.Nps));
        if (s.AskCes) b.Append(Scale("ces", "How easy was it to get your issue solved? (1 = very difficult, 7 = very easy)", 1, 7, s.Ces));
        b.Append($"<label for=\"comment\">Anything you would like to tell us? (optional)</label>");
        b.Append($"<textarea id=\"comment\" name=\"comment\" rows=\"5\" maxlength=\"{Domain.Surveys.Survey.MaxCommentLength}\">{E(s.Comment ?? "")}</textarea>");
        b.Append("<button type=\"submit\">Send</button></form>");
        b.Append($"<p class=\"sub\">You can change your answers until {s.ExpiresAt.InUtc().Date:uuuu-MM-dd}.</p>");
        return b.ToString();
    }

    private static string Scale(string name, string question, int from, int to, int? chosen)
    {
        var b = new StringBuilder($"<fieldset><legend>{E(question)}</legend><div class=\"scale\">");
        for (var i = from; i <= to; i++)
            b.Append($"<label><input type=\"radio\" name=\"{name}\" value=\"{i}\"{(chosen == i ? " checked" : "")}>{i}</label>");
        return b.Append("</div></fieldset>").ToString();
    }

    private static string E(string value) => WebUtility.HtmlEncode(value);

    /// <summary>The page's one inline style block, allowed by its hash (no <c>'unsafe-inline'</c>).</summary>
    private const string Style = """
        body{font:16px/1.5 system-ui,sans-serif;background:#f4f5f7;color:#1d2330;margin:0;padding:2rem 1rem}
        main{max-width:36rem;margin:auto;background:#fff;border-radius:8px;padding:2rem;box-shadow:0 1px 3px #0002}
        h1{font-size:1.4rem;margin-top:0}.sub{color:#5b6475;font-size:.9rem}.saved{color:#1a7f37}
        .scale{display:flex;gap:.4rem;flex-wrap:wrap}.scale a,.scale label{display:inline-block;min-width:2.2rem;text-align:center;
        padding:.3rem;border:1px solid #c5cad3;border-radius:4px;text-decoration:none;color:inherit}
        .scale a.chosen{background:#1f6feb;color:#fff;border-color:#1f6feb}fieldset{border:0;padding:0;margin:1rem 0}
        legend{margin-bottom:.4rem}label{display:block;margin-top:1rem}textarea{width:100%;box-sizing:border-box;font:inherit}
        button{margin-top:1rem;padding:.5rem 1.2rem;font:inherit;background:#1f6feb;color:#fff;border:0;border-radius:4px}
        """;

    private static readonly string StyleHash = Hosting.SecurityHeaders.Hash(Style);

    private static IResult Html(int status, string title, string body) => new SurveyHtml(status, $$"""
        <!doctype html><html lang="en"><head><meta charset="utf-8"><title>{{E(title)}} · HelpDesk</title>
        <meta name="viewport" content="width=device-width, initial-scale=1"><meta name="robots" content="noindex">
        <style>{{Style}}</style></head><body><main>{{body}}</main></body></html>
        """);

    /// <summary>The page with headers that keep the token private: not cached, not sent on as a Referer, nothing loaded from elsewhere.</summary>
    private sealed class SurveyHtml(int status, string html) : IResult
    {
        public Task ExecuteAsync(HttpContext http)
        {
            var headers = http.Response.Headers;
            headers.CacheControl = "no-store";
            headers["Referrer-Policy"] = "no-referrer";
            headers["X-Content-Type-Options"] = "nosniff";
            headers.ContentSecurityPolicy = $"default-src 'none'; style-src {StyleHash}; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; report-uri {Hosting.SecurityHeaders.ReportPath}";
            return Results.Content(html, "text/html; charset=utf-8", Encoding.UTF8, status).ExecuteAsync(http);
        }
    }
}
