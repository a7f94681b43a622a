using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace HelpDesk.Migrations.SqlServer.Migrations
{
    /// <inheritdoc />
    public partial class ReportFirstResponder : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_ReportTickets_FirstResponseAt_TeamId_FirstResponseBusinessMs_FirstResponseCalendarMs",
                table: "ReportTickets");

            migrationBuilder.AddColumn<Guid>(
                name: "FirstResponderId",
                table: "ReportTickets",
                type: "uniqueidentifier",
                nullable: true);

            // Existing rows: the author of each ticket's first public agent reply (what ReportProjector now records).
            migrationBuilder.Sql("""
                UPDATE r SET [FirstResponderId] = (SELECT TOP 1 c.[ActorId] FROM [TicketChanges] AS c WHERE c.[TicketId] = r.[TicketId] AND c.[Kind] = N'PublicAgentReply' ORDER BY c.[Sequence]) FROM [ReportTickets] AS r WHERE r.[FirstResponseAt] IS NOT NULL;
                """);

            migrationBuilder.CreateIndex(
                name: "IX_ReportTickets_FirstResponseAt_TeamId_FirstResponseBusinessMs_FirstResponseCalendarMs_FirstResponderId",
                table: "ReportTickets",
                columns: new[] { "FirstResponseAt", "TeamId", "FirstResponseBusinessMs", "FirstResponseCalendarMs", "FirstResponderId" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_ReportTickets_FirstResponseAt_TeamId_FirstResponseBusinessMs_FirstResponseCalendarMs_FirstResponderId",
                table: "ReportTickets");

            migrationBuilder.DropColumn(
                name: "FirstResponderId",
                table: "ReportTickets");

            migrationBuilder.CreateIndex(
                name: "IX_ReportTickets_FirstResponseAt_TeamId_FirstResponseBusinessMs_FirstResponseCalendarMs",
                table: "ReportTickets",
                columns: new[] { "FirstResponseAt", "TeamId", "FirstResponseBusinessMs", "FirstResponseCalendarMs" });
        }
    }
}
