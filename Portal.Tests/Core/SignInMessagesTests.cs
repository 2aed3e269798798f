using Portal.Core.Accounts;
using Portal.Core.OAuth;

namespace Portal.Tests.Core;

public sealed class SignInMessagesTests
{
    [Fact]
    public void A_sign_in_that_made_the_first_administrator_welcomes_them_as_such_and_says_Setup_Mode_is_over()
    {
        var user = new SignedInUser(Guid.NewGuid(), "Ada Lovelace", IsAdministrator: true, BecameFirstAdministrator: true, EndedSetupMode: true);

        Assert.Equal(
            "Welcome, Ada Lovelace. You are the portal's first administrator, and Setup Mode is over: setup links no longer work, and admin pages need an administrator's sign-in.",
            SignInMessages.Welcome(user));
    }

    [Fact]
    public void An_existing_administrator_who_ends_Setup_Mode_is_welcomed_as_an_administrator()
    {
        var user = new SignedInUser(Guid.NewGuid(), "Grace Hopper", IsAdministrator: true, BecameFirstAdministrator: false, EndedSetupMode: true);

        Assert.Equal(
            "Welcome, Grace Hopper. You are an administrator, and Setup Mode is over: setup links no longer work, and admin pages need an administrator's sign-in.",
            SignInMessages.Welcome(user));
    }

    [Fact]
    public void An_ordinary_sign_in_needs_no_message()
    {
        Assert.Null(SignInMessages.Welcome(new SignedInUser(Guid.NewGuid(), "Alan Turing", IsAdministrator: false, BecameFirstAdministrator: false)));
        Assert.Null(SignInMessages.Welcome(new SignedInUser(Guid.NewGuid(), "Alan Turing", IsAdministrator: true, BecameFirstAdministrator: false)));
    }

    [Fact]
    public void Signing_out_says_so()
    {
        Assert.Equal("You are signed out.", SignInMessages.SignedOut);
    }
}
