using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Portal.Core.Persistence.Migrations
{
    /// <inheritdoc />
    public partial class SecurityHardening : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "ErrorCode",
                table: "SignInEvents",
                type: "TEXT",
                maxLength: 32,
                nullable: true);

            migrationBuilder.CreateTable(
                name: "Sessions",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    Kind = table.Column<int>(type: "INTEGER", nullable: false),
                    UserId = table.Column<Guid>(type: "TEXT", nullable: true),
                    IntegrationId = table.Column<Guid>(type: "TEXT", nullable: true),
                    SetupTokenId = table.Column<int>(type: "INTEGER", nullable: true),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    ExpiresAt = table.Column<long>(type: "INTEGER", nullable: false),
                    EndedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    EndReason = table.Column<int>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Sessions", x => x.Id);
                    table.ForeignKey(
                        name: "FK_Sessions_SetupTokens_SetupTokenId",
                        column: x => x.SetupTokenId,
                        principalTable: "SetupTokens",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.SetNull);
                    table.ForeignKey(
                        name: "FK_Sessions_Users_UserId",
                        column: x => x.UserId,
                        principalTable: "Users",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "SetupStates",
                columns: table => new
                {
                    Id = table.Column<int>(type: "INTEGER", nullable: false),
                    RecoveryRequestedAt = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_SetupStates", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_SignInEvents_OccurredAt",
                table: "SignInEvents",
                column: "OccurredAt");

            migrationBuilder.CreateIndex(
                name: "IX_Sessions_ExpiresAt",
                table: "Sessions",
                column: "ExpiresAt");

            migrationBuilder.CreateIndex(
                name: "IX_Sessions_IntegrationId",
                table: "Sessions",
                column: "IntegrationId");

            migrationBuilder.CreateIndex(
                name: "IX_Sessions_SetupTokenId",
                table: "Sessions",
                column: "SetupTokenId");

            migrationBuilder.CreateIndex(
                name: "IX_Sessions_UserId",
                table: "Sessions",
                column: "UserId");

            // Earlier versions stored an unknown callback error with its error_description, text anyone could send.
            migrationBuilder.Sql(
                "UPDATE SignInEvents SET FailureReason = 'The browser came back from Bitbucket with an OAuth error the portal does not know (recorded by an earlier version; the value is no longer shown).' " +
                "WHERE FailureReason LIKE 'Bitbucket refused the sign-in (%';");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "Sessions");

            migrationBuilder.DropTable(
                name: "SetupStates");

            migrationBuilder.DropIndex(
                name: "IX_SignInEvents_OccurredAt",
                table: "SignInEvents");

            migrationBuilder.DropColumn(
                name: "ErrorCode",
                table: "SignInEvents");
        }
    }
}
