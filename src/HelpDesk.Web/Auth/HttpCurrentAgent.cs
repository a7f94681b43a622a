using System.Security.Claims;
using HelpDesk.Application.Common;

namespace HelpDesk.Web.Auth;

/// <summary>The agent behind the current request (cookie or bearer token); null outside a request (background work).</summary>
public sealed class HttpCurrentAgent(IHttpContextAccessor accessor) : ICurrentAgent
{
    public Guid? AgentId =>
        accessor.HttpContext?.User.FindFirstValue(ClaimTypes.NameIdentifier) is { } id && Guid.TryParse(id, out var guid) ? guid : null;
}
