using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Portal.Core.Persistence.Migrations
{
    /// <inheritdoc />
    public partial class SignInEventErrorCode : Migration
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

            migrationBuilder.CreateIndex(
                name: "IX_SignInEvents_OccurredAt",
                table: "SignInEvents",
                column: "OccurredAt");

            // Earlier versions stored an unknown callback error with its error_description, text anyone could send.
            migrationBuilder.Sql(
                "UPDATE SignInEvents SET FailureReason = 'The browser came back from Bitbucket with an OAuth error the portal does not know (recorded by an earlier version; the value is no longer shown).' " +
                "WHERE FailureReason LIKE 'Bitbucket refused the sign-in (%';");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_SignInEvents_OccurredAt",
                table: "SignInEvents");

            migrationBuilder.DropColumn(
                name: "ErrorCode",
                table: "SignInEvents");
        }
    }
}
