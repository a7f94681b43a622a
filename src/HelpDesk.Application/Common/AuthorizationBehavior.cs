using HelpDesk.Domain.Agents;
using Mediator;

namespace HelpDesk.Application.Common;

/// <summary>Marks a message only admins may send (configuration: calendars, policies, rules, teams, agents).</summary>
public interface IAdminOnly;

/// <summary>Marks a message only leads and admins may send (breach review, exports): agents get 403 before validation.</summary>
public interface ILeadOnly;

/// <summary>
/// Checks the caller's role before anything else looks at the message, so a caller who may not configure learns
/// nothing from validation errors (403 before 400).
/// </summary>
public sealed class AuthorizationBehavior<TMessage, TResponse>(Caller caller) : IPipelineBehavior<TMessage, TResponse>
    where TMessage : notnull, IMessage
{
    public async ValueTask<TResponse> Handle(TMessage message, MessageHandlerDelegate<TMessage, TResponse> next, CancellationToken cancellationToken)
    {
        if (message is IAdminOnly) await caller.RequireRoleAsync(AgentRole.Admin, cancellationToken);
        else if (message is ILeadOnly) await caller.RequireRoleAsync(AgentRole.Lead, cancellationToken);
        return await next(message, cancellationToken);
    }
}
