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
        if (changed.Count == 0) return [];
        return await db.InTransactionAsync(async (tx, ct) =>
        {
            var conflicts = new List<int>();
            await using var update = db.Database.GetDbConnection().CreateCommand();
            update.Transaction = tx;
            update.CommandText = UpdateSql();
            var due = Parameter(update, "due", nameof(Ticket.SlaDueAt));
            var next = Parameter(update, "next", nameof(Ticket.SlaNextAlertAt));
            var number = Parameter(update, "number", nameof(Ticket.Number));
            var version = Parameter(update, "version", nameof(Ticket.Version));
            var readNext = Parameter(update, "readNext", nameof(Ticket.SlaNextAlertAt));
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
            return (IReadOnlyList<int>)conflicts;
        }, ct);
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
        string P(string name) => sql.GenerateParameterNamePlaceholder(name);
        return $"UPDATE {sql.DelimitIdentifier(table.Name, table.Schema)} SET {due} = {P("due")}, {next} = {P("next")} " +
               $"WHERE {number} = {P("number")} AND {version} = {P("version")} AND ({next} = {P("readNext")} OR ({next} IS NULL AND {P("readNext")} IS NULL))";
    }

    /// <summary>A parameter typed like the ticket's column (its provider type mapping: timestamptz on PostgreSQL, datetime2 on SQL Server).</summary>
    private DbParameter Parameter(DbCommand command, string name, string property)
    {
        var column = db.Model.FindEntityType(typeof(Ticket))!.FindProperty(property)!;
        var mapping = (RelationalTypeMapping)column.GetTypeMapping();
        var parameter = mapping.CreateParameter(command, db.GetService<ISqlGenerationHelper>().GenerateParameterName(name), null, column.IsNullable);
        command.Parameters.Add(parameter);
        return parameter;
    }

    private static object Provider(Instant? instant) => instant is { } i ? i.ToDateTimeUtc() : DBNull.Value;
}
