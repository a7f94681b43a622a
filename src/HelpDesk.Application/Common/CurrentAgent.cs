namespace HelpDesk.Application.Common;

/// <summary>Who is asking: the signed-in agent (cookie or bearer token), or nobody (system work, CLI).</summary>
public interface ICurrentAgent
{
    Guid? AgentId { get; }
}

/// <summary>For background services and the CLI: acts as the system.</summary>
public sealed class SystemCaller : ICurrentAgent
{
    public Guid? AgentId => null;
}
