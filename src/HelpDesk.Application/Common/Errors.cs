namespace HelpDesk.Application.Common;

/// <summary>The thing asked for does not exist, or the caller may not know that it does (404).</summary>
public sealed class NotFoundException(string message) : Exception(message);

/// <summary>The caller is known but may not do this (403).</summary>
public sealed class ForbiddenException(string message) : Exception(message);

/// <summary>A write named a version (<c>If-Match</c>) that is no longer the current one: someone changed the thing since it was read (412).</summary>
public sealed class PreconditionFailedException(string message, string? current = null) : Exception(message)
{
    /// <summary>The current entity tag, so the client can reload and compare; null when unknown or the thing does not exist.</summary>
    public string? Current { get; } = current;
}

/// <summary>A write that must name the version it changes (<c>If-Match</c>) came without one (428).</summary>
public sealed class PreconditionRequiredException(string message) : Exception(message);
