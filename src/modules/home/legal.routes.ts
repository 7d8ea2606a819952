import { Router } from 'express';
import type { AppServices } from '../../app';
import type { Config } from '../../config';
import { allow } from '../../http/authorize';
import { SESSION_COOKIE } from '../../http/session';
import { DEFAULT_RULES } from '../../lib/disclosure';

/** A contact as a link: an address opens the mail program, a web page itself. */
function contactLink(contact: string | undefined) {
  if (!contact) return undefined;
  return {
    href: contact.includes('@') && !/^https?:/.test(contact) ? `mailto:${contact}` : contact,
    text: contact,
  };
}

/** Who runs this installation, as the privacy notice and accessibility statement name them. */
function operatorOf(config: Config) {
  const contact = contactLink(config.OPERATOR_CONTACT);
  return {
    name: config.OPERATOR_NAME,
    contact,
    dpo: contactLink(config.DPO_CONTACT),
    // Until the operator says who they are, the pages say so rather than name nobody.
    missing: !config.OPERATOR_NAME || !contact,
  };
}

/**
 * The privacy notice (GDPR articles 13–14), the accessibility statement (Directive (EU)
 * 2016/2102) and the guide: public pages linked from every page. The first two describe what
 * this software does; the operator's name and contacts come from the configuration.
 */
export function legalRoutes({ config }: AppServices): Router {
  const router = Router();

  router.get('/privacy', allow('public'), (req, res) => {
    res.render('home/privacy', {
      title: req.t('legal.privacy.title'),
      operator: operatorOf(config),
      sessionCookie: SESSION_COOKIE,
      sessionHours: config.SESSION_MAX_AGE_HOURS,
      k: DEFAULT_RULES.k,
    });
  });

  router.get('/accessibility', allow('public'), (req, res) => {
    res.render('home/accessibility', {
      title: req.t('legal.accessibility.title'),
      operator: operatorOf(config),
    });
  });

  // The guide: each role's steps, the signed-in reader's own first in the contents' link.
  router.get('/help', allow('public'), (req, res) => {
    const roles = HELP_ROLES.map((id) => ({
      id,
      title: req.t(`help.roles.${id}.title`),
      steps: req.t(`help.roles.${id}.steps`, { returnObjects: true }) as unknown as string[],
    }));
    const glossary = GLOSSARY.map((word) => {
      const [term, meaning] = req.t(`help.glossary.${word}`, {
        returnObjects: true,
      }) as unknown as string[];
      return { term, meaning };
    });
    res.render('home/help', {
      title: req.t('help.title'),
      roles,
      glossary,
      yourRole: roles.find((r) => r.id === req.user?.role),
    });
  });

  return router;
}

const HELP_ROLES = ['firm', 'local_authority', 'social_partner', 'region', 'admin', 'public'];
const GLOSSARY = ['pact', 'revision', 'protected', 'coverage', 'call'];
