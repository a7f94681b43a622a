using System.Reflection;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using HelpDesk.Web.Tests.Infrastructure;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace HelpDesk.Web.Tests.Api;

/// <summary>
/// Property-based: for every POST and PUT route of the API (read from the endpoint data source, so a new route is fuzzed
/// without touching this test), seeded random bodies shaped like the route's request type (its property names, with
/// values of every JSON kind: wrong types, huge and negative numbers, control characters, deep nesting, nulls) are
/// answered with a 2xx or a 4xx ProblemDetails, never a 500.
/// </summary>
public sealed class ApiFuzzTests : IAsyncLifetime
{
    private const int Seed = 20261205, BodiesPerRoute = 40;
    private readonly HelpDeskFactory _factory = new();
    private HttpClient _admin = null!;
    private int _ticket;

    public async Task InitializeAsync()
    {
        _admin = await _factory.AgentClientAsync("root@helpdesk.test", "admin", "support");
        _ticket = await _admin.CreateTicketNumberAsync();
    }

    public async Task DisposeAsync() => await _factory.DisposeAsync();

    [Fact]
    public async Task Random_bodies_on_every_post_and_put_route_get_an_answer_or_a_4xx_problem_never_a_500()
    {
        var routes = _factory.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText?.StartsWith("/api/v1", StringComparison.Ordinal) == true)
            .SelectMany(e => (e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? []).Where(m => m is "POST" or "PUT")
                .Select(m => (Method: m, Pattern: e.RoutePattern.RawText!, Body: e.Metadata.GetMetadata<IAcceptsMetadata>()?.RequestType)))
            .ToList();
        routes.Should().Contain(r => r.Pattern.Contains("tickets"), "the data source lists the API's routes");
        var random = new Random(Seed);
        var failures = new List<string>();
        foreach (var (method, pattern, bodyType) in routes)
            for (var i = 0; i < BodiesPerRoute; i++)
            {
                var path = Path(pattern, random);
                var body = bodyType is null ? RandomValue(random, 0) : RandomObject(bodyType, random, 0);
                var request = new HttpRequestMessage(new HttpMethod(method), path)
                {
                    Content = new StringContent(body?.ToJsonString() ?? "null", Encoding.UTF8, "application/json"),
                };
                var response = await _admin.SendAsync(request);
                var status = (int)response.StatusCode;
                if (status >= 500 || (status >= 400 && response.Content.Headers.ContentType?.MediaType != "application/problem+json"))
                    failures.Add($"{method} {path} {status}: {Truncate(body?.ToJsonString())}");
            }
        failures.Should().BeEmpty();
    }

    private static string Truncate(string? s) => s is null ? "null" : s.Length > 300 ? s[..300] + "…" : s;

    private string Path(string pattern, Random random) => System.Text.RegularExpressions.Regex.Replace(pattern, "{([^}:]+)(:[^}]+)?}", m =>
        m.Groups[2].Value switch
        {
            ":int" => random.Next(4) == 0 ? random.Next(int.MinValue, int.MaxValue).ToString() : _ticket.ToString(),
            ":guid" => Guid.NewGuid().ToString(),
            _ => Uri.EscapeDataString(Pick(random, "fuzz", "firstResponse", "support", "x" + new string('y', random.Next(200)), "a%00b", "..", "über")),
        });

    private static string Pick(Random random, params string[] options) => options[random.Next(options.Length)];

    private static JsonObject RandomObject(Type type, Random random, int depth)
    {
        var o = new JsonObject();
        foreach (var p in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (random.Next(5) == 0) continue;
            var name = JsonNamingPolicy.CamelCase.ConvertName(p.Name);
            var nested = Nullable.GetUnderlyingType(p.PropertyType) ?? p.PropertyType;
            // Half the time a value that passes the field's shape, so the other fields' values reach the handler and the database.
            if (random.Next(2) == 0 && Plausible(name, random) is { } plausible) { o[name] = plausible; continue; }
            o[name] = random.Next(3) == 0 && nested.IsClass && nested != typeof(string) && !nested.IsAssignableTo(typeof(System.Collections.IEnumerable)) && depth < 3
                ? RandomObject(nested, random, depth + 1)
                : RandomValue(random, depth);
        }
        if (random.Next(6) == 0) o["unexpected"] = RandomValue(random, depth);
        return o;
    }

    private static JsonNode? Plausible(string name, Random random) => name switch
    {
        "email" or "agent" => "root@helpdesk.test",
        "team" => "support",
        "teams" => new JsonArray("support"),
        "priority" => "normal",
        "visibility" => "public",
        "role" => "agent",
        "status" => "open",
        "body" or "subject" or "name" or "displayName" or "note" or "comment" => new string('n', random.Next(1, 2_000)),
        _ => null,
    };

    private static JsonNode? RandomValue(Random random, int depth) => random.Next(depth > 3 ? 8 : 11) switch
    {
        0 => null,
        1 => JsonValue.Create(random.Next(2) == 0),
        2 => JsonValue.Create(Pick(random, "-1", "0", "2147483648", "1e400", "NaN").Length > 0 ? random.Next(int.MinValue, int.MaxValue) : 0),
        3 => JsonValue.Create(double.MaxValue * (random.Next(2) == 0 ? 1 : -1) / 2),
        4 => JsonValue.Create(Pick(random, "", " ", "normal", "urgent", "public", "internal", "agent", "admin", "PT1H", "P1Y", "2026-03-02", "root@helpdesk.test", "support")),
        5 => JsonValue.Create(new string((char)random.Next(0, 32), random.Next(1, 50))),
        6 => JsonValue.Create(new string('x', random.Next(1000, 200_000))),
        7 => JsonValue.Create("\ud800 lone surrogate \u202e rtl"),
        8 => new JsonArray(Enumerable.Range(0, random.Next(0, 5)).Select(_ => RandomValue(random, depth + 1)).ToArray()),
        9 => new JsonObject { ["k"] = RandomValue(random, depth + 1), ["firstResponse"] = RandomValue(random, depth + 1) },
        _ => Nest(depth),
    };

    private static JsonNode Nest(int depth)
    {
        JsonNode node = new JsonArray();
        for (var i = 0; i < 40 + depth; i++) node = new JsonArray(node);
        return node;
    }
}
