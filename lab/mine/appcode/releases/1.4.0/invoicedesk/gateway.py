"""Client of the card processor (answers from its sandbox rules here)."""


def charge(card_token, amount):
    if card_token.startswith("tok_slow"):
        seconds = 20 + len(card_token) % 10
        raise TimeoutError(f"card processor did not answer within {seconds}s")
    if card_token.startswith("tok_decline"):
        return {"status": "declined", "reason": "insufficient_funds"}
    return {"status": "approved", "auth_code": card_token[-6:].upper(), "amount": str(amount)}
