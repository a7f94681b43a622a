using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using HelpDesk.Web.Hosting;
using HelpDesk.Web.Tests.Infrastructure;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace HelpDesk.Web.Tests.Api;

/// <summary>The security headers on pages and API answers of every kind, and the CSP report endpoint.</summary>
public sealed partial class SecurityHeaderTests : IAsyncLifetime
{
    private readonly HelpDeskFactory _factory = new();
    private HttpClient _agent = null!;

    public async Task InitializeAsync() => _agent = await _factory.AgentClientAsync("dana@helpdesk.test", "agent", "support");

    public async Task DisposeAsync() => await _factory.DisposeAsync();

    private HttpClient Anonymous(string baseAddress = "http://localhost") =>
        _factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, BaseAddress = new Uri(baseAddress) });

    public static TheoryData<string, bool> Answers => new()
    {
        { "/", false }, { "/login", false }, { "/health", false }, { "/api/v1/me", false }, { "/api/v1/me", true }, { "/api/v1/tickets", true },
        { "/api/v1/tickets/999999", true }, { "/api/v1/tickets?limit=abc", true }, { "/no-such-page", false }, { "/console/console.css", false },
        { "/console/app.js", false }, { "/openapi/v1.json", false }, { "/docs/", false },
    };

    [Theory]
    [MemberData(nameof(Answers))]
    public async Task Every_answer_carries_the_security_headers(string path, bool withToken)
    {
        var response = await (withToken ? _agent : Anonymous()).GetAsync(path);

        var csp = Header(response, "Content-Security-Policy");
        csp.Should().Contain("frame-ancestors 'none'").And.Contain("object-src 'none'").And.Contain("report-uri /csp-reports");
        Directive(csp, "script-src").Should().NotContain("'unsafe-inline'").And.NotContain("'unsafe-eval'");
        Header(response, "X-Content-Type-Options").Should().Be("nosniff");
        Header(response, "Referrer-Policy").Should().NotBeEmpty();
        Header(response, "Permissions-Policy").Should().Contain("camera=()");
        response.Headers.Contains("Strict-Transport-Security").Should().BeFalse("HSTS only over HTTPS");
    }

    [Fact]
    public async Task The_console_pages_allow_no_inline_style_and_https_answers_carry_hsts()
    {
        var response = await Anonymous("https://localhost").GetAsync("/login");

        Directive(Header(response, "Content-Security-Policy"), "style-src").Should().Be("style-src 'self'");
        Header(response, "Strict-Transport-Security").Should().StartWith("max-age=31536000");
    }

    [Fact]
    public async Task The_api_reference_allows_exactly_its_own_inline_scripts_by_hash()
    {
        var response = await Anonymous().GetAsync("/docs/");
        var html = await response.Content.ReadAsStringAsync();
        var scripts = Directive(Header(response, "Content-Security-Policy"), "script-src");

        var inline = InlineScript().Matches(html).Select(m => m.Groups[1].Value).ToList();
        inline.Should().NotBeEmpty();
        foreach (var script in inline) scripts.Should().Contain(SecurityHeaders.Hash(script));
        scripts.Should().NotContain("'unsafe-inline'");
    }

    [Fact]
    public async Task The_survey_page_allows_its_style_by_hash_only()
    {
        var response = await Anonymous().GetAsync("/survey/not-a-token");
        var html = await response.Content.ReadAsStringAsync();
        var style = Regex.Match(html, "<style>(.*?)</style>", RegexOptions.Singleline).Groups[1].Value;

        Directive(Header(response, "Content-Security-Policy"), "style-src").Should().Be($"style-src {SecurityHeaders.Hash(style)}");
    }

    [Fact]
    public async Task Collects_csp_violation_reports()
    {
        var report = """{"csp-report":{"document-uri":"http://localhost/","violated-directive":"script-src-elem","blocked-uri":"inline","source-file":"http://localhost/","line-number":7}}""";

        var response = await Anonymous().PostAsync("/csp-reports", new StringContent(report, Encoding.UTF8, "application/csp-report"));

        response.StatusCode.Should().Be(HttpStatusCode.NoContent);
        _factory.Services.GetRequiredService<CspReports>().Latest.Should().ContainSingle()
            .Which.Should().Be(new CspViolation("http://localhost/", "script-src-elem", "inline", "http://localhost/", 7));
        (await Anonymous().PostAsync("/csp-reports", new StringContent("not json", Encoding.UTF8, "application/csp-report"))).StatusCode.Should().Be(HttpStatusCode.BadRequest);
    }

    private static string Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) || response.Content.Headers.TryGetValues(name, out values) ? string.Join(",", values) : "";

    private static string Directive(string csp, string name) =>
        csp.Split(';', StringSplitOptions.TrimEntries).SingleOrDefault(d => d.StartsWith(name + " ", StringComparison.Ordinal)) ?? "";

    [GeneratedRegex(@"<script(?![^>]*\bsrc=)[^>]*>(.*?)</script>", RegexOptions.Singleline | RegexOptions.IgnoreCase)]
    private static partial Regex InlineScript();
}
