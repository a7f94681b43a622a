using System.Net.Http.Json;
using System.Text.Json;

namespace HelpDesk.Cluster.Tests.Infrastructure;

/// <summary>What the scenarios do through the API of any node.</summary>
public static class Desk
{
    public static async Task<int> CreateTicketAsync(this HttpClient api, string subject, string requester = "customer@example.test")
    {
        var response = await api.PostAsJsonAsync("/api/v1/tickets", new
        {
            subject, body = "Something is broken.", requester = new { email = requester, name = "Customer" }, team = DeskCluster.Team,
        });
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("number").GetInt32();
    }

    /// <summary>A 24/7 calendar and a policy for every ticket whose first response is due <paramref name="firstResponse"/> after creation.</summary>
    public static async Task PutFastPolicyAsync(this HttpClient admin, string firstResponse, int[] warnAtPercent)
    {
        (await admin.PutAsJsonAsync("/api/v1/calendars/always", new { timeZone = "UTC", twentyFourSeven = true })).EnsureSuccessStatusCode();
        (await admin.PutAsJsonAsync("/api/v1/sla-policies/fast", new
        {
            position = 1, calendar = "always", warnAtPercent,
            targets = new Dictionary<string, object> { ["normal"] = new { firstResponse } },
        })).EnsureSuccessStatusCode();
    }
}
