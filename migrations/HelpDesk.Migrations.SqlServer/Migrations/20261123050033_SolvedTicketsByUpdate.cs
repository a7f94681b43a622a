using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace HelpDesk.Migrations.SqlServer.Migrations
{
    /// <inheritdoc />
    public partial class SolvedTicketsByUpdate : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateIndex(
                name: "IX_Tickets_TeamId_Status_UpdatedAt_Number",
                table: "Tickets",
                columns: new[] { "TeamId", "Status", "UpdatedAt", "Number" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Tickets_TeamId_Status_UpdatedAt_Number",
                table: "Tickets");
        }
    }
}
