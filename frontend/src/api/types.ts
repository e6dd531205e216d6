/**
 * Wire shapes of the HTTP API (README, "The API"). Money is always a decimal string such as
 * "31.25" and dates are park-local ISO dates ("2026-12-01"); neither is ever a float or a Date.
 */

export type TierKey = "general" | "standard" | "non-stop" | "double-fun";
export type UpgradeTierKey = Exclude<TierKey, "general">;
export type TicketStatus = "active" | "used" | "cancelled" | "expired" | "refunded";
export type OrderStatus =
  | "pending"
  | "processing"
  | "confirmed"
  | "refunded"
  | "expired"
  | "cancelled"
  | "failed";

/** Why a (tier, date) option cannot be booked; null when it can. */
export type OptionReason = "tier_not_higher" | "sold_out" | "date_closed" | "date_out_of_window";

export interface Eligibility {
  eligible: boolean;
  code: string | null;
  message: string;
  guidance: string;
}

export interface Ticket {
  id: string;
  number: string;
  tier: TierKey;
  visit_date: string;
  status: TicketStatus;
  price_paid: string;
  currency: string;
  eligibility: Eligibility;
}

export interface TierInfo {
  key: UpgradeTierKey;
  name: string;
  rank: number;
  features: string[];
}

export interface DayTierOption {
  price: string;
  amount_due: string;
  remaining: number;
  available: boolean;
  reason: OptionReason | null;
}

export interface CalendarDay {
  date: string;
  day_type: "peak" | "weekend" | "off-peak" | "regular";
  closed: boolean;
  tiers: Record<UpgradeTierKey, DayTierOption>;
}

/** GET /api/tickets/{ref}/upgrade-options */
export interface UpgradeOptions {
  ticket: Ticket;
  currency: string;
  first_bookable: string;
  last_bookable: string;
  tiers: TierInfo[];
  calendar: CalendarDay[];
}

export interface PaymentSummary {
  brand?: string;
  last4?: string;
  [key: string]: unknown;
}

/** An upgrade order; a `pending` one is a quote holding capacity until `expires_at`. */
export interface Order {
  id: string;
  status: OrderStatus;
  ticket: string;
  ticket_id: string;
  tier: UpgradeTierKey;
  date: string;
  price: string;
  amount_due: string;
  currency: string;
  created_at: string;
  expires_at: string;
  confirmation_code: string | null;
  payment: PaymentSummary | null;
  email_status: string | null;
  attempts_left: number;
  last_decline_code: string | null;
  previous_tier: TierKey;
  previous_date: string;
}

export interface CreateUpgradeCommand {
  ticket: string;
  tier: UpgradeTierKey;
  date: string;
}

/** The card as POST /api/upgrades/{id}/payment wants it. Never stored or logged by the site. */
export interface PaymentCard {
  number: string;
  exp_month: number;
  exp_year: number;
  cvc: string;
  name: string;
}

export interface TokenResponse {
  access_token: string;
  token_type: string;
  expires_in: number;
}

export interface RegisterRequest {
  email: string;
  password: string;
  first_name: string;
  last_name: string;
}

export interface Customer {
  id: string;
  email: string;
  first_name: string;
  last_name: string;
  created_at: string;
  updated_at: string;
}

export interface ChatAction {
  type: string;
  data: Record<string, unknown>;
}

export interface ChatReply {
  session_id: string;
  response_text: string;
  actions: ChatAction[];
  next_steps: string[];
  confidence_score: number;
  escalated: boolean;
}
