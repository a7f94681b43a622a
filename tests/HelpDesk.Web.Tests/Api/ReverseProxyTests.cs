using System.Net;
using System.Text;
using HelpDesk.Web.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace HelpDesk.Web.Tests.Api;

/// <summary>Behind a reverse proxy, on a real loopback port: which forwarded headers count, and the mailgate's trust.</summary>
public sealed class ReverseProxyTests
{
    private const string Mail = "From: Maria <maria@example.test>\r\nTo: support@helpdesk.test\r\nSubject: Proxy\r\nMessage-ID: <proxy-{0}@example.test>\r\n\r\nHello.\r\n";

    /// <summary>The host on a real port (so the connection's address is loopback, as a proxy on the same machine sees it).</summary>
    private static (HelpDeskFactory Factory, HttpClient Http) Start(Dictionary<string, string?> settings)
    {
        var factory = new HelpDeskFactory(settings: settings);
        factory.UseKestrel(0);
        factory.StartServer();
        var address = factory.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return (factory, new HttpClient(new HttpClientHandler { UseCookies = false, AllowAutoRedirect = false })
            { BaseAddress = new Uri(address.Replace("[::]", "127.0.0.1").Replace("0.0.0.0", "127.0.0.1")) });
    }

    private static HttpRequestMessage ForwardedLogin()
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/login");
        request.Headers.Add("X-Forwarded-For", "203.0.113.9");
        request.Headers.Add("X-Forwarded-Proto", "https");
        return request;
    }

    private static HttpRequestMessage HandOff(Action<HttpRequestMessage>? headers = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/mailgate") { Content = new ByteArrayContent(Encoding.ASCII.GetBytes(string.Format(Mail, Guid.NewGuid()))) };
        headers?.Invoke(request);
        return request;
    }

    [Fact]
    public async Task Believes_forwarded_https_from_a_known_proxy_so_cookies_are_secure()
    {
        var (factory, http) = Start(new() { ["HelpDesk:KnownProxies:0"] = "127.0.0.1" });
        await using var _ = factory;

        var response = await http.SendAsync(ForwardedLogin());

        response.Headers.GetValues("Set-Cookie").Should().OnlyContain(c => c.Contains("secure", StringComparison.OrdinalIgnoreCase));
        response.Headers.Contains("Strict-Transport-Security").Should().BeTrue();
    }

    [Fact]
    public async Task Ignores_forwarded_headers_from_an_address_not_configured_as_a_proxy()
    {
        var (factory, http) = Start(new() { ["HelpDesk:KnownProxies:0"] = "10.1.2.3" });
        await using var _ = factory;

        var response = await http.SendAsync(ForwardedLogin());

        response.Headers.GetValues("Set-Cookie").Should().NotContain(c => c.Contains("secure", StringComparison.OrdinalIgnoreCase));
        response.Headers.Contains("Strict-Transport-Security").Should().BeFalse();
    }

    [Theory]
    [InlineData(null)]
    [InlineData("127.0.0.1")]
    public async Task The_mailgate_refuses_a_hand_off_forwarded_by_a_proxy_on_the_same_host(string? knownProxy)
    {
        var (factory, http) = Start(new() { ["HelpDesk:KnownProxies:0"] = knownProxy });
        await using var _ = factory;

        (await http.SendAsync(HandOff(r => r.Headers.Add("X-Forwarded-For", "203.0.113.9")))).StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await http.SendAsync(HandOff())).StatusCode.Should().Be(HttpStatusCode.OK, "straight from this machine it is trusted as before");
    }

    [Fact]
    public async Task The_mailgate_accepts_a_forwarded_hand_off_with_the_shared_secret_only()
    {
        var (factory, http) = Start(new() { ["HelpDesk:KnownProxies:0"] = "127.0.0.1", ["HelpDesk:Mail:MailgateSecret"] = "s3cret-of-the-gate" });
        await using var _ = factory;

        (await http.SendAsync(HandOff(r => { r.Headers.Add("X-Forwarded-For", "203.0.113.9"); r.Headers.Add("X-Mailgate-Secret", "wrong"); })))
            .StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await http.SendAsync(HandOff(r => { r.Headers.Add("X-Forwarded-For", "203.0.113.9"); r.Headers.Add("X-Mailgate-Secret", "s3cret-of-the-gate"); })))
            .StatusCode.Should().Be(HttpStatusCode.OK);
    }
}
