using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace HelpDesk.Migrations.PostgreSql.Migrations
{
    /// <inheritdoc />
    public partial class QuarantineTriage : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "DiscardedBy",
                table: "InboundMails",
                type: "character varying(254)",
                maxLength: 254,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "ReasonCode",
                table: "InboundMails",
                type: "character varying(40)",
                maxLength: 40,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Sender",
                table: "InboundMails",
                type: "character varying(500)",
                maxLength: 500,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "SenderFix",
                table: "InboundMails",
                type: "character varying(254)",
                maxLength: 254,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Subject",
                table: "InboundMails",
                type: "character varying(500)",
                maxLength: 500,
                nullable: true);

            // Messages quarantined before reasons had classes: classed from their stored reason text (docs/email.md, "Quarantine triage").
            migrationBuilder.Sql("""
                UPDATE "InboundMails" SET "ReasonCode" = CASE
                    WHEN "Reason" LIKE '%no usable From address%' THEN 'no_sender'
                    WHEN "Reason" LIKE 'TimeoutException:%' THEN 'timeout'
                    WHEN "Reason" LIKE '%exceeds the limit of%not downloaded' THEN 'too_large'
                    WHEN "Reason" LIKE 'ParseException:%' OR "Reason" LIKE 'FormatException:%' THEN 'unparseable'
                    WHEN "Reason" LIKE 'DomainRuleViolation:%team%' THEN 'no_team'
                    WHEN "Reason" LIKE 'DomainRuleViolation:%' THEN 'rule'
                    ELSE 'error' END
                WHERE "State" = 'Quarantined'
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "DiscardedBy",
                table: "InboundMails");

            migrationBuilder.DropColumn(
                name: "ReasonCode",
                table: "InboundMails");

            migrationBuilder.DropColumn(
                name: "Sender",
                table: "InboundMails");

            migrationBuilder.DropColumn(
                name: "SenderFix",
                table: "InboundMails");

            migrationBuilder.DropColumn(
                name: "Subject",
                table: "InboundMails");
        }
    }
}
