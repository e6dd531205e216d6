import { act, render, screen } from "@testing-library/react";
import { Countdown } from "./Countdown";

describe("Countdown", () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(new Date("2026-11-28T05:38:49.000Z"));
  });
  afterEach(() => vi.useRealTimers());

  it("shows mm:ss and the same time in words", () => {
    render(<Countdown expiresAt="2026-11-28T05:53:49.000Z" />);
    const timer = screen.getByRole("timer");
    expect(timer).toHaveTextContent("15:00");
    expect(timer).toHaveTextContent("15 minutes");
  });

  it("ticks down each second", () => {
    render(<Countdown expiresAt="2026-11-28T05:40:00.000Z" />);
    expect(screen.getByRole("timer")).toHaveTextContent("01:11");
    act(() => vi.advanceTimersByTime(1000));
    expect(screen.getByRole("timer")).toHaveTextContent("01:10");
    expect(screen.getByRole("timer")).toHaveTextContent("1 minute 10 seconds");
    act(() => vi.advanceTimersByTime(10_000));
    expect(screen.getByRole("timer")).toHaveTextContent("01:00");
  });

  it("announces politely only when the last minute starts, not every second", () => {
    render(<Countdown expiresAt="2026-11-28T05:40:00.000Z" />);
    const live = screen.getByTestId("countdown-announcement");
    expect(live).toHaveAttribute("aria-live", "polite");
    expect(live).toBeEmptyDOMElement();
    act(() => vi.advanceTimersByTime(11_000));
    expect(live).toHaveTextContent("Less than one minute left to pay.");
  });

  it("says expired at zero and calls onExpire once", () => {
    const onExpire = vi.fn();
    render(<Countdown expiresAt="2026-11-28T05:38:52.000Z" onExpire={onExpire} />);
    act(() => vi.advanceTimersByTime(3000));
    expect(screen.queryByRole("timer")).not.toBeInTheDocument();
    expect(screen.getByText(/This quote has expired; ask for a new one/)).toBeInTheDocument();
    expect(screen.getByTestId("countdown-announcement")).toHaveTextContent("This quote has expired.");
    act(() => vi.advanceTimersByTime(5000));
    expect(onExpire).toHaveBeenCalledTimes(1);
  });

  it("is already expired when expires_at has passed", () => {
    render(<Countdown expiresAt="2026-11-28T05:00:00.000Z" />);
    expect(screen.getByText("Expired.")).toBeInTheDocument();
  });
});
