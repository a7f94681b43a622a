using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace HelpDesk.Migrations.SqlServer.Migrations
{
    /// <inheritdoc />
    public partial class ConsoleEventsByAge : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateIndex(
                name: "IX_ConsoleEvents_At",
                table: "ConsoleEvents",
                column: "At");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_ConsoleEvents_At",
                table: "ConsoleEvents");
        }
    }
}
