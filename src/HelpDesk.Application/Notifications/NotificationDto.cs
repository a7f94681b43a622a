using NodaTime;

namespace HelpDesk.Application.Notifications;

/// <summary>A notification as the console shows it. <see cref="ForTeam"/>: addressed to a whole team, not to the caller alone.</summary>
public sealed record NotificationDto(Guid Id, string Kind, int? TicketNumber, string Message, Instant CreatedAt, Instant? ReadAt, bool ForTeam);
