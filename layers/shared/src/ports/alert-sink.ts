/** Where admin alerts go: the SNS admin topic in production, the log (and the database) locally. */

export interface AdminAlert {
  readonly subject: string;
  readonly message: string;
  readonly targetAddress: string;
  readonly functionName: string | undefined;
  readonly consecutiveFailures: number;
  readonly error: string | undefined;
  readonly raisedAt: Date;
}

export interface AlertSink {
  /** A name for the destination, recorded beside each stored alert. */
  readonly destination: string;
  publish(alert: AdminAlert): Promise<void>;
}
