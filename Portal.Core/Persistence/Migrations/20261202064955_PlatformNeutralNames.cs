using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Portal.Core.Persistence.Migrations
{
    /// <inheritdoc />
    public partial class PlatformNeutralNames : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.RenameColumn(
                name: "BitbucketVersion",
                table: "ProbeResults",
                newName: "ServerVersion");

            migrationBuilder.RenameColumn(
                name: "BitbucketVersion",
                table: "Integrations",
                newName: "ServerVersion");

            migrationBuilder.RenameColumn(
                name: "BitbucketUserId",
                table: "ExternalIdentities",
                newName: "ExternalUserId");

            migrationBuilder.RenameIndex(
                name: "IX_ExternalIdentities_IntegrationId_BitbucketUserId",
                table: "ExternalIdentities",
                newName: "IX_ExternalIdentities_IntegrationId_ExternalUserId");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.RenameColumn(
                name: "ServerVersion",
                table: "ProbeResults",
                newName: "BitbucketVersion");

            migrationBuilder.RenameColumn(
                name: "ServerVersion",
                table: "Integrations",
                newName: "BitbucketVersion");

            migrationBuilder.RenameColumn(
                name: "ExternalUserId",
                table: "ExternalIdentities",
                newName: "BitbucketUserId");

            migrationBuilder.RenameIndex(
                name: "IX_ExternalIdentities_IntegrationId_ExternalUserId",
                table: "ExternalIdentities",
                newName: "IX_ExternalIdentities_IntegrationId_BitbucketUserId");
        }
    }
}
