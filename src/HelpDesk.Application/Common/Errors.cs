namespace HelpDesk.Application.Common;

/// <summary>The thing asked for does not exist, or the caller may not know that it does (404).</summary>
public sealed class NotFoundException(string message) : Exception(message);

/// <summary>The caller is known but may not do this (403).</summary>
public sealed class ForbiddenException(string message) : Exception(message);
