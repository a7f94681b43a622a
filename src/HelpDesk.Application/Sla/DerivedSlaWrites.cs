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
/// One UPDATE per ticket (sent in batches where the provider batches statements), all in one transaction. The UPDATE matches the ticket's <see cref="Ticket.Version"/>
/// and the next-alert instant the values were computed from, so a ticket changed meanwhile is not overwritten.
/// Plain parameterised SQL (the model's table and column names) so every provider runs it.
/// </summary>
public sealed class DerivedSlaWrites(HelpDeskDbContext db) : IDerivedSlaWrites
{
    private const int StatementsPerBatch = 500;

    public async Task<IReadOnlyList<int>> WriteAsync(IReadOnlyList<DerivedSlaColumns> changed, CancellationToken ct)
    {
        if (changed.Count == 0) return [];
        return await db.InTransactionAsync(async (tx, ct) =>
        {
            var conflicts = new List<int>();
            var connection = db.Database.GetDbConnection();
            await using var update = connection.CreateCommand();
            update.Transaction = tx;
            update.CommandText = UpdateSql();
            // Where the provider batches statements (PostgreSQL, SQL Server) a few hundred UPDATEs go in one round trip,
            // each with its own row count; otherwise (SQLite, in-process: no round trips) one prepared statement per ticket.
            if (connection.CanCreateBatch)
            {
                foreach (var chunk in changed.Chunk(StatementsPerBatch))
                {
                    await using var batch = connection.CreateBatch();
                    batch.Transaction = tx;
                    foreach (var o in chunk)
                    {
                        var command = batch.CreateBatchCommand();
                        command.CommandText = update.CommandText;
                        foreach (var parameter in UpdateParameters(update, o)) command.Parameters.Add(parameter);
                        batch.BatchCommands.Add(command);
                    }
                    await batch.ExecuteNonQueryAsync(ct);
                    for (var i = 0; i < chunk.Length; i++)
                        if (batch.BatchCommands[i].RecordsAffected == 0) conflicts.Add(chunk[i].Number);
                }
                return (IReadOnlyList<int>)conflicts;
            }
            var prepared = UpdateParameters(update, changed[0]);
            foreach (var parameter in prepared) update.Parameters.Add(parameter);
            await update.PrepareAsync(ct);
            foreach (var o in changed)
            {
                var values = UpdateValues(o);
                for (var i = 0; i < prepared.Length; i++) prepared[i].Value = values[i];
                if (await update.ExecuteNonQueryAsync(ct) == 0) conflicts.Add(o.Number);
            }
            return conflicts;
        }, ct);
    }

    /// <summary>The UPDATE's parameters (<see cref="UpdateSql"/>'s names, in order) for one ticket, typed like the ticket's columns.</summary>
    private DbParameter[] UpdateParameters(DbCommand factory, DerivedSlaColumns o)
    {
        var values = UpdateValues(o);
        var parameters = new[]
        {
            Parameter(factory, "due", nameof(Ticket.SlaDueAt)), Parameter(factory, "next", nameof(Ticket.SlaNextAlertAt)),
            Parameter(factory, "number", nameof(Ticket.Number)), Parameter(factory, "version", nameof(Ticket.Version)),
            Parameter(factory, "readNext", nameof(Ticket.SlaNextAlertAt)),
        };
        for (var i = 0; i < parameters.Length; i++) parameters[i].Value = values[i];
        return parameters;
    }

    private static object[] UpdateValues(DerivedSlaColumns o) => [Provider(o.DueAt), Provider(o.NextAlertAt), o.Number, o.Version, Provider(o.ReadNextAlertAt)];

    /// <summary>The statement sent for each ticket (public for the offline T-SQL check of what SQL Server would receive).</summary>
    public string UpdateSql()
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

    /// <summary>A parameter typed like the ticket's column (timestamptz on PostgreSQL, datetime2 on SQL Server), made by <paramref name="command"/> and not yet added to any command.</summary>
    private DbParameter Parameter(DbCommand command, string name, string property)
    {
        var column = db.Model.FindEntityType(typeof(Ticket))!.FindProperty(property)!;
        var mapping = (RelationalTypeMapping)column.GetTypeMapping();
        return mapping.CreateParameter(command, db.GetService<ISqlGenerationHelper>().GenerateParameterName(name), null, column.IsNullable);
    }

    private static object Provider(Instant? instant) => instant is { } i ? i.ToDateTimeUtc() : DBNull.Value;
}
