/** The channels a hospital offers the patient's phone, from its configuration. */
import fs from 'node:fs';
import type { Config } from '../config';
import type { Logger } from '../logger';
import { HttpClient } from './http.client';
import type { PatientNotifier, RetryOptions } from './patient-notifier';
import { SmsNotifier } from './sms.notifier';
import { WebPushNotifier } from './web-push.notifier';
import { ZaloZnsNotifier } from './zalo-zns.notifier';

export interface PatientNotifiers {
  notifiers: PatientNotifier[];
  close(): void;
}

/** Where Zalo's rotated refresh token is kept between starts. */
export const ZNS_REFRESH_TOKEN_SETTING = 'zns.refresh-token';

export function patientNotifiersOf(
  config: Config,
  deps: { log: Logger; storedZnsRefreshToken?: string | undefined; keepZnsRefreshToken: (token: string) => void },
): PatientNotifiers {
  const retry: RetryOptions = { attempts: config.NOTIFY_RETRY_ATTEMPTS, baseDelayMs: config.NOTIFY_RETRY_BASE_MS };
  const http = new HttpClient();
  const notifiers: PatientNotifier[] = [];
  let push: WebPushNotifier | undefined;
  if (config.VAPID_PUBLIC_KEY && config.VAPID_PRIVATE_KEY) {
    push = new WebPushNotifier(
      { publicKey: config.VAPID_PUBLIC_KEY, privateKey: config.VAPID_PRIVATE_KEY, subject: config.VAPID_SUBJECT },
      retry,
      {
        timeoutMs: config.NOTIFY_TIMEOUT_MS,
        ttlSeconds: 3600,
        ca: config.WEB_PUSH_CA_FILE ? fs.readFileSync(config.WEB_PUSH_CA_FILE, 'utf8') : undefined,
      },
    );
    notifiers.push(push);
  }
  if (config.NOTIFY_PHONE_CHANNEL === 'zalo-zns') {
    const refreshToken = deps.storedZnsRefreshToken ?? config.ZNS_REFRESH_TOKEN;
    if (
      config.ZNS_APP_ID &&
      config.ZNS_SECRET_KEY &&
      refreshToken &&
      config.ZNS_TEMPLATE_NEAR &&
      config.ZNS_TEMPLATE_CALLED
    )
      notifiers.push(
        new ZaloZnsNotifier(
          http,
          {
            apiUrl: config.ZNS_API_URL,
            oauthUrl: config.ZNS_OAUTH_URL,
            appId: config.ZNS_APP_ID,
            secretKey: config.ZNS_SECRET_KEY,
            refreshToken,
            templateNear: config.ZNS_TEMPLATE_NEAR,
            templateCalled: config.ZNS_TEMPLATE_CALLED,
            timeoutMs: config.NOTIFY_TIMEOUT_MS,
            onRefreshToken: deps.keepZnsRefreshToken,
          },
          retry,
        ),
      );
    else
      deps.log.warn(
        'NOTIFY_PHONE_CHANNEL=zalo-zns without ZNS_APP_ID, ZNS_SECRET_KEY, ZNS_REFRESH_TOKEN and templates: not offered',
      );
  }
  if (config.NOTIFY_PHONE_CHANNEL === 'sms') {
    if (config.SMS_URL && config.SMS_API_KEY)
      notifiers.push(
        new SmsNotifier(
          http,
          {
            url: config.SMS_URL,
            apiKey: config.SMS_API_KEY,
            brandname: config.SMS_BRANDNAME,
            hospitalName: config.HOSPITAL_NAME,
            timeoutMs: config.NOTIFY_TIMEOUT_MS,
          },
          retry,
        ),
      );
    else deps.log.warn('NOTIFY_PHONE_CHANNEL=sms without SMS_URL and SMS_API_KEY: not offered');
  }
  return {
    notifiers,
    close: () => {
      http.close();
      push?.close();
    },
  };
}
