import { lazy, Suspense } from 'react';
import { BrowserRouter, Route, Routes } from 'react-router';
import { Layout } from './components/Layout';
import { Loading } from './components/Loading';
import { Home } from './pages/Home';
import { NotFound } from './pages/NotFound';
import { ROUTES } from './routes';

// The map library is large: it is loaded with the map page only.
const PortMap = lazy(() => import('./pages/PortMap'));
const SignIn = lazy(() => import('./pages/SignIn'));
// Innovation hub (web/src/pages/innovation).
const InnovationHome = lazy(() => import('./pages/innovation/InnovationHome'));
const InnovationCommunity = lazy(() => import('./pages/innovation/CommunityPage'));
const InnovationEvent = lazy(() => import('./pages/innovation/EventPage'));
const InnovationCall = lazy(() => import('./pages/innovation/CallPage'));
const InnovationReview = lazy(() => import('./pages/innovation/ReviewPage'));
const InnovationPartners = lazy(() => import('./pages/innovation/PartnersPage'));
const InnovationPartner = lazy(() => import('./pages/innovation/PartnerPage'));
const InnovationPractices = lazy(() => import('./pages/innovation/PracticesPage'));
const InnovationPractice = lazy(() => import('./pages/innovation/PracticePage'));
const ObservatoryPublic = lazy(() => import('./pages/observatory/PublicDashboard'));
const ObservatoryAnswer = lazy(() => import('./pages/observatory/AnswerForm'));
const ObservatoryStaff = lazy(() => import('./pages/observatory/StaffDashboard'));
// Data catalog (web/src/pages/catalog) and administration (web/src/pages/admin).
const CatalogSearch = lazy(() => import('./pages/catalog/CatalogSearch'));
const CatalogDataset = lazy(() => import('./pages/catalog/DatasetPage'));
const CatalogOwner = lazy(() => import('./pages/catalog/OwnerArea'));
const AdminPage = lazy(() => import('./pages/admin/AdminPage'));
const lazyPage = (el: React.ReactNode) => <Suspense fallback={<Loading />}>{el}</Suspense>;

export function App() {
  return (
    <BrowserRouter>
      <Routes>
        <Route element={<Layout />}>
          <Route index element={<Home />} />
          <Route
            path={ROUTES.map}
            element={
              <Suspense fallback={<Loading />}>
                <PortMap />
              </Suspense>
            }
          />
          <Route path={ROUTES.catalog} element={lazyPage(<CatalogSearch />)} />
          <Route path={`${ROUTES.catalog}/mine`} element={lazyPage(<CatalogOwner />)} />
          <Route path={`${ROUTES.catalog}/:id`} element={lazyPage(<CatalogDataset />)} />
          <Route path={ROUTES.admin} element={lazyPage(<AdminPage />)} />
          <Route path={ROUTES.observatory} element={lazyPage(<ObservatoryPublic />)} />
          <Route path={ROUTES.observatoryStaff} element={lazyPage(<ObservatoryStaff />)} />
          <Route path={ROUTES.observatoryAnswer} element={lazyPage(<ObservatoryAnswer />)} />
          <Route path={ROUTES.innovation} element={lazyPage(<InnovationHome />)} />
          <Route path={`${ROUTES.innovation}/communities/:id`} element={lazyPage(<InnovationCommunity />)} />
          <Route path={`${ROUTES.innovation}/events/:id`} element={lazyPage(<InnovationEvent />)} />
          <Route path={`${ROUTES.innovation}/calls/:id`} element={lazyPage(<InnovationCall />)} />
          <Route path={`${ROUTES.innovation}/calls/:id/review`} element={lazyPage(<InnovationReview />)} />
          <Route path={`${ROUTES.innovation}/partners`} element={lazyPage(<InnovationPartners />)} />
          <Route path={`${ROUTES.innovation}/partners/:id`} element={lazyPage(<InnovationPartner />)} />
          <Route path={`${ROUTES.innovation}/practices`} element={lazyPage(<InnovationPractices />)} />
          <Route path={`${ROUTES.innovation}/practices/:id`} element={lazyPage(<InnovationPractice />)} />
          <Route
            path={ROUTES.signIn}
            element={
              <Suspense fallback={<Loading />}>
                <SignIn />
              </Suspense>
            }
          />
          <Route path="*" element={<NotFound />} />
        </Route>
      </Routes>
    </BrowserRouter>
  );
}
