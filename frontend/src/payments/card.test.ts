import {
  cvcError,
  detectBrand,
  expiryError,
  formatCardNumber,
  formatExpiry,
  luhnValid,
  numberError,
  toPaymentCard,
  validateCard,
} from "./card";

const NOW = new Date(2026, 10, 28, 12, 0, 0); // 28 November 2026, local time
const GOOD = { number: "4242 4242 4242 4242", expiry: "12/30", cvc: "123", name: "Alice Rivera" };

describe("the DOMAIN.md test cards", () => {
  it.each([
    "4242 4242 4242 4242",
    "4000 0000 0000 0002",
    "4000 0000 0000 9995",
    "4000 0000 0000 0069",
    "4000 0000 0000 0127",
    "4000 0000 0000 0119",
  ])("%s passes the site's checks as a Visa, so the gateway decides", (number) => {
    const check = validateCard({ ...GOOD, number }, NOW);
    expect(check.valid).toBe(true);
    expect(check.brand).toBe("visa");
  });
});

describe("Luhn", () => {
  it("rejects a number with one mistyped digit, in words", () => {
    expect(luhnValid("4242424242424241")).toBe(false);
    expect(numberError("4242 4242 4242 4241")).toBe("This card number is not valid. Check for a mistyped digit.");
  });

  it("rejects swapped digits", () => {
    expect(luhnValid("4242424242424224")).toBe(false);
  });

  it("accepts the gateway's 'any other Luhn-valid number'", () => {
    expect(numberError("5555 5555 5555 4444")).toBeUndefined();
  });

  it("says the length is wrong for the brand before talking about Luhn", () => {
    expect(numberError("4242 4242 4242")).toMatch(/Visa card number has 13, 16 or 19 digits; this one has 12/);
  });

  it("asks for a number when there is none, and for digits when there are letters", () => {
    expect(numberError("")).toBe("Enter the card number.");
    expect(numberError("4242 abcd")).toBe("Use digits only for the card number.");
  });
});

describe("brand from IIN ranges", () => {
  it.each([
    ["4242424242424242", "visa"],
    ["5555555555554444", "mastercard"],
    ["2223003122003222", "mastercard"],
    ["378282246310005", "amex"],
    ["341111111111111", "amex"],
    ["6011111111111117", "discover"],
    ["6221260000000000", "discover"],
    ["6200000000000005", "unionpay"],
    ["30569309025904", "diners"],
    ["3566002020360505", "jcb"],
    ["9999999999999995", "unknown"],
  ])("%s is %s", (number, brand) => {
    expect(detectBrand(number)).toBe(brand);
  });
});

describe("number formatting", () => {
  it("groups most cards in fours", () => {
    expect(formatCardNumber("4242424242424242")).toBe("4242 4242 4242 4242");
    expect(formatCardNumber("4242-4242 42")).toBe("4242 4242 42");
  });

  it("groups American Express 4-6-5", () => {
    expect(formatCardNumber("378282246310005")).toBe("3782 822463 10005");
  });

  it("stops at 19 digits", () => {
    expect(formatCardNumber("4".repeat(25)).replace(/ /g, "")).toHaveLength(19);
  });
});

describe("expiry, relative to an injected now", () => {
  it("is still good on the last second of its month", () => {
    expect(expiryError("01/27", new Date(2027, 0, 31, 23, 59, 59))).toBeUndefined();
  });

  it("has expired at midnight on the first of the next month", () => {
    expect(expiryError("01/27", new Date(2027, 1, 1, 0, 0, 0))).toBe("This card has expired. Use another card.");
  });

  it("handles a February month end in a leap year", () => {
    expect(expiryError("02/28", new Date(2028, 1, 29, 23, 0))).toBeUndefined();
    expect(expiryError("02/28", new Date(2028, 2, 1, 0, 0))).toMatch(/expired/);
  });

  it("explains the format when it is not MM/YY", () => {
    expect(expiryError("13/27", NOW)).toBe("Write the expiry date as MM/YY, for example 08/29.");
    expect(expiryError("1227", NOW)).toMatch(/MM\/YY/);
    expect(expiryError("", NOW)).toBe("Enter the expiry date as MM/YY.");
  });

  it("refuses a date more than 20 years ahead", () => {
    expect(expiryError("12/60", NOW)).toMatch(/too far ahead/);
  });

  it("is typed as MM/YY with the slash added at the third digit", () => {
    expect(formatExpiry("1")).toBe("1");
    expect(formatExpiry("4")).toBe("04");
    expect(formatExpiry("12")).toBe("12");
    expect(formatExpiry("123")).toBe("12/3");
    expect(formatExpiry("12/345")).toBe("12/34");
    // A month typed with one digit and a separator is that month, not the start of another.
    expect(formatExpiry("1/30")).toBe("01/30");
    expect(formatExpiry("1/")).toBe("01");
    expect(formatExpiry("9 - 29")).toBe("09/29");
  });
});

describe("CVC", () => {
  it("wants 4 digits on the front for American Express", () => {
    expect(cvcError("123", "amex")).toBe("The security code is 4 digits, on the front of the card.");
    expect(cvcError("1234", "amex")).toBeUndefined();
  });

  it("wants 3 digits on the back for the others", () => {
    expect(cvcError("1234", "visa")).toBe("The security code is 3 digits, on the back of the card.");
    expect(cvcError("12a", "visa")).toMatch(/3 digits/);
    expect(cvcError("123", "visa")).toBeUndefined();
  });

  it("follows the brand of the number in validateCard", () => {
    const amex = { ...GOOD, number: "3782 822463 10005" };
    expect(validateCard({ ...amex, cvc: "123" }, NOW).errors.cvc).toMatch(/4 digits/);
    expect(validateCard({ ...amex, cvc: "1234" }, NOW).valid).toBe(true);
  });
});

describe("name and the API body", () => {
  it("refuses a blank name", () => {
    expect(validateCard({ ...GOOD, name: "   " }, NOW).errors).toEqual({
      name: "Enter the name as it is printed on the card.",
    });
  });

  it("builds the payment body with digits only and a four-digit year", () => {
    expect(toPaymentCard({ ...GOOD, name: " Alice Rivera " })).toEqual({
      number: "4242424242424242",
      exp_month: 12,
      exp_year: 2030,
      cvc: "123",
      name: "Alice Rivera",
    });
  });
});
