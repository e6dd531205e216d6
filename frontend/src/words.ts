/** The words the site uses for the API's keys: tier names, statuses, email states. */
import type { OrderStatus, TicketStatus, TierKey } from "./api/types";

export const TIER_NAMES: Record<TierKey, string> = {
  general: "General",
  standard: "Standard",
  "non-stop": "Non-stop",
  "double-fun": "Double Fun",
};

export const TICKET_STATUS: Record<TicketStatus, string> = {
  active: "Active",
  used: "Used",
  cancelled: "Cancelled",
  expired: "Expired",
  refunded: "Refunded",
};

export const ORDER_STATUS: Record<OrderStatus, string> = {
  pending: "Waiting for payment",
  processing: "Payment being confirmed",
  confirmed: "Confirmed",
  refunded: "Refunded",
  expired: "Expired (not paid in time)",
  cancelled: "Cancelled",
  failed: "Not paid (card declined)",
};

export function tierName(key: string): string {
  return TIER_NAMES[key as TierKey] ?? key;
}

export function emailStatus(status: string | null): string {
  switch (status) {
    case null:
      return "No email yet";
    case "pending":
      return "Being sent";
    case "sent":
      return "Sent";
    case "failed":
      return "Could not be sent; we will keep trying";
    default:
      return status;
  }
}
