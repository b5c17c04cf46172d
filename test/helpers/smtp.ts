/**
 * A real SMTP peer on 127.0.0.1 (smtp-server + mailparser in the test process), and a
 * self-signed certificate made with openssl (smtp-server's built-in one has expired).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { SMTPServer, type SMTPServerAddress } from 'smtp-server';
import { simpleParser, type ParsedMail } from 'mailparser';

export interface ReceivedMail {
  mail: ParsedMail;
  /** The message as received (DATA). */
  raw: Buffer;
  /** The envelope recipients and whether the session ran over TLS and was authenticated. */
  to: string[];
  /** The envelope sender ('' for the null reverse-path of reports and bounces). */
  from: string;
  secure: boolean;
  user?: string;
}

export interface SmtpPeerOptions {
  /** Offers STARTTLS with this certificate; without it STARTTLS is switched off. */
  tls?: { key: string; cert: string };
  /** Requires AUTH with these credentials. */
  auth?: { user: string; pass: string };
  /** Answers RCPT TO: a reply code to refuse the address (its n-th try, 0-based), or undefined to accept. */
  refuse?: (address: string, attempt: number) => 451 | 550 | undefined;
  /** Only count mails, without parsing them (for the benchmark: parsing would compete for the CPU). */
  countOnly?: boolean;
}

export interface SmtpPeer {
  port: number;
  mails: ReceivedMail[];
  /** Mails accepted so far, parsed or not. */
  count(): number;
  close(): Promise<void>;
}

export async function startSmtpPeer(options: SmtpPeerOptions = {}): Promise<SmtpPeer> {
  const mails: ReceivedMail[] = [];
  const tries = new Map<string, number>();
  let count = 0;
  const server = new SMTPServer({
    logger: false,
    ...(options.tls ? { key: options.tls.key, cert: options.tls.cert } : { disabledCommands: ['STARTTLS'] }),
    authOptional: !options.auth,
    onAuth(auth, _session, callback) {
      if (auth.username === options.auth?.user && auth.password === options.auth?.pass) return callback(null, { user: auth.username });
      callback(Object.assign(new Error('5.7.8 Authentication credentials invalid'), { responseCode: 535 }));
    },
    onRcptTo(address: SMTPServerAddress, _session, callback) {
      const attempt = tries.get(address.address) ?? 0;
      tries.set(address.address, attempt + 1);
      const code = options.refuse?.(address.address, attempt);
      if (code === undefined) return callback();
      const text = code === 451 ? '4.7.1 Greylisted, please try again later' : '5.1.1 Mailbox does not exist';
      callback(Object.assign(new Error(text), { responseCode: code }));
    },
    onData(stream, session, callback) {
      if (options.countOnly) {
        stream.on('end', () => {
          count++;
          callback();
        });
        return void stream.resume();
      }
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      new Promise<Buffer>((resolve, reject) => stream.on('end', () => resolve(Buffer.concat(chunks))).on('error', reject))
        .then(async (raw) => ({ raw, mail: await simpleParser(raw) }))
        .then(({ raw, mail }) => {
          mails.push({
            mail,
            raw,
            to: session.envelope.rcptTo.map((r) => r.address),
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            secure: session.secure,
            ...(session.user ? { user: String(session.user) } : {}),
          });
          count++;
          callback();
        })
        .catch(callback);
    },
  });
  server.on('error', () => {}); // a client that drops the connection is not a test failure
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.server.address() as AddressInfo).port,
    mails,
    count: () => count,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** A fresh self-signed certificate for 127.0.0.1 and localhost, valid for a day. */
export function selfSignedCertificate(): { key: string; cert: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'statusrelay-cert-'));
  const key = path.join(dir, 'key.pem');
  const cert = path.join(dir, 'cert.pem');
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=localhost',
    '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost', '-keyout', key, '-out', cert,
  ], { stdio: 'ignore' });
  const pair = { key: fs.readFileSync(key, 'utf8'), cert: fs.readFileSync(cert, 'utf8') };
  fs.rmSync(dir, { recursive: true, force: true });
  return pair;
}
