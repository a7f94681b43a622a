using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace HelpDesk.Migrations.PostgreSql.Migrations
{
    /// <inheritdoc />
    public partial class Search : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "SearchDocuments",
                columns: table => new
                {
                    Number = table.Column<int>(type: "integer", nullable: false),
                    TicketId = table.Column<Guid>(type: "uuid", nullable: false),
                    Title = table.Column<string>(type: "text", maxLength: -1, nullable: false),
                    Body = table.Column<string>(type: "text", maxLength: -1, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_SearchDocuments", x => x.Number);
                    table.ForeignKey(
                        name: "FK_SearchDocuments_Tickets_TicketId",
                        column: x => x.TicketId,
                        principalTable: "Tickets",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_SearchDocuments_TicketId",
                table: "SearchDocuments",
                column: "TicketId",
                unique: true);

            // The provider's full-text or trigram index over the documents (none on SQL Server: docs/search.md).
            foreach (var statement in HelpDesk.Application.Persistence.ProviderSql.PostgreSql.Search.IndexDdl)
                migrationBuilder.Sql(statement);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            foreach (var statement in HelpDesk.Application.Persistence.ProviderSql.PostgreSql.Search.DropIndexDdl)
                migrationBuilder.Sql(statement);
            migrationBuilder.DropTable(
                name: "SearchDocuments");
        }
    }
}
