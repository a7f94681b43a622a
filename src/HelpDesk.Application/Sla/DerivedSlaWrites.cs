using System.Data;
using System.Data.Common;
using HelpDesk.Application.Persistence;
using HelpDesk.Domain.Tickets;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;
using NodaTime;

namespace HelpDesk.Application.Sla;

/// <summary>New derived SLA columns of a ticket, and the version and next-alert instant they were computed from.</summary>
public sealed record DerivedSlaColumns(int Number, int Version, Instant? ReadNextAlertAt, Instant? DueAt, Instant? NextAlertAt);

/// <summary>The bulk write step of <see cref="SlaRecomputation"/> (a service of its own: tests put a concurrent change in front of it).</summary>
public interface IDerivedSlaWrites
{
    /// <summary>Writes the derived columns of each ticket that is still as it was read; returns the numbers of those that are not.</summary>
    Task<IReadOnlyList<int>> WriteAsync(IReadOnlyList<DerivedSlaColumns> tickets, CancellationToken ct);
}

/// <summary>
/// One prepared UPDATE per ticket, all in one transaction. The UPDATE matches the ticket's <see cref="Ticket.Version"/>
/// and the next-alert instant the values were computed from, so a ticket changed meanwhile is not overwritten.
/// Plain parameterised SQL (one prepared statement, the model's table and column names) so every provider runs it.
/// </summary>
public sealed class DerivedSlaWrites(HelpDeskDbContext db) : IDerivedSlaWrites
{
    public async Task<IReadOnlyList<int>> WriteAsync(IReadOnlyList<DerivedSlaColumns> changed, CancellationToken ct)
    {
        var conflicts = new List<int>();
        if (changed.Count == 0) return conflicts;
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        await using var update = db.Database.GetDbConnection().CreateCommand();
        update.Transaction = tx.GetDbTransaction();
        update.CommandText = UpdateSql();
        var due = Parameter(update, "@due", DbType.DateTime2);
        var next = Parameter(update, "@next", DbType.DateTime2);
        var number = Parameter(update, "@number", DbType.Int32);
        var version = Parameter(update, "@version", DbType.Int32);
        var readNext = Parameter(update, "@readNext", DbType.DateTime2);
        await update.PrepareAsync(ct);
        foreach (var o in changed)
        {
            due.Value = Provider(o.DueAt);
            next.Value = Provider(o.NextAlertAt);
            number.Value = o.Number;
            version.Value = o.Version;
            readNext.Value = Provider(o.ReadNextAlertAt);
            if (await update.ExecuteNonQueryAsync(ct) == 0) conflicts.Add(o.Number);
        }
        await tx.CommitAsync(ct);
        return conflicts;
    }

    private string UpdateSql()
    {
        var sql = db.GetService<ISqlGenerationHelper>();
        var ticket = db.Model.FindEntityType(typeof(Ticket))!;
        var table = StoreObjectIdentifier.Table(ticket.GetTableName()!, ticket.GetSchema());
        string Column(string property) => sql.DelimitIdentifier(ticket.FindProperty(property)!.GetColumnName(table)!);
        var (due, next, number, version) = (Column(nameof(Ticket.SlaDueAt)), Column(nameof(Ticket.SlaNextAlertAt)),
            Column(nameof(Ticket.Number)), Column(nameof(Ticket.Version)));
        // The next-alert guard catches the due-queue, which reschedules a ticket after firing without bumping its version.
        return $"UPDATE {sql.DelimitIdentifier(table.Name, table.Schema)} SET {due} = @due, {next} = @next " +
               $"WHERE {number} = @number AND {version} = @version AND ({next} = @readNext OR ({next} IS NULL AND @readNext IS NULL))";
    }

    private static DbParameter Parameter(DbCommand command, string name, DbType type)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.DbType = type;
        command.Parameters.Add(parameter);
        return parameter;
    }

    private static object Provider(Instant? instant) => instant is { } i ? i.ToDateTimeUtc() : DBNull.Value;
}
