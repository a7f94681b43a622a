using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace HelpDesk.Migrations.Sqlite.Migrations
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
                type: "TEXT",
                nullable: true);

            // Existing rows: the author of each ticket's first public agent reply (what ReportProjector now records).
            migrationBuilder.Sql("""
                UPDATE "ReportTickets" SET "FirstResponderId" = (SELECT c."ActorId" FROM "TicketChanges" AS c WHERE c."TicketId" = "ReportTickets"."TicketId" AND c."Kind" = 'PublicAgentReply' ORDER BY c."Sequence" LIMIT 1) WHERE "FirstResponseAt" IS NOT NULL;
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
